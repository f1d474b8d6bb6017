// HostSource while /proc/1 (whose net/dev is the host's network namespace) vanishes and comes back during
// collects (issue 8, "Faults"): no exception, and the network totals are pid 1's or, while it is gone, our
// own namespace's: never a mix and never garbage. Each partial /proc/1 is met one at a time (TreeStates);
// a thread that churns it shows collects racing it get both namespaces.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>

#include "fakes/vanishing_tree.hpp"
#include "sources/host/host_source.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

TEST(HostSourceVanishingProc, CollectsDuringPidOneChurnGiveOneOfTheTwoNamespaces) {
    const fs::path root = fs::temp_directory_path() / ("cmon-vanish-host-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    const fs::path fixture = fs::path(CMON_FIXTURES_DIR) / "host" / "minimal";
    fs::copy(fixture, root / "live", fs::copy_options::recursive);
    HostPaths paths;
    paths.proc = root / "live" / "proc";
    paths.sys = root / "live" / "sys";
    HostSource source(paths);

    testing::VanishingTree churn(fixture / "proc" / "1", paths.proc / "1");
    // Until collects have seen both namespaces (the race ran both ways), at least 2000.
    int from_pid_one = 0;
    int own_or_empty = 0;
    int collects = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((collects < 2000 || from_pid_one == 0 || own_or_empty == 0) && std::chrono::steady_clock::now() < deadline) {
        model::Snapshot draft;
        ASSERT_NO_THROW(source.collect(draft));
        const auto rx = draft.host.network_rx.bytes_total;
        const auto tx = draft.host.network_tx.bytes_total;
        // pid 1's ens3 (1000/2000) or our own eth0 (7/8); an empty file read mid-copy counts nothing.
        const bool pid_one = rx == 1000U && tx == 2000U;
        const bool own = rx == 7U && tx == 8U;
        ASSERT_TRUE(pid_one || own || (rx == 0U && tx == 0U)) << rx << "/" << tx;
        ++(pid_one ? from_pid_one : own_or_empty);
        ++collects;
        ASSERT_EQ(draft.host.memory_total_bytes, 1000U * 1024);
    }
    churn.stop();
    EXPECT_GT(from_pid_one, 0) << "no collect saw pid 1's namespace (" << collects << " collects)";
    EXPECT_GT(own_or_empty, 0) << "no collect ran while pid 1 was gone (" << collects << " collects)";
    model::Snapshot settled;
    source.collect(settled);
    EXPECT_EQ(settled.host.network_rx.bytes_total, 1000U);
    fs::remove_all(root);
}

TEST(HostSourceVanishingProc, EveryPartialPidOneGivesItsNamespaceExactlyWhenItsNetDevIsThere) {
    const fs::path root = fs::temp_directory_path() / ("cmon-states-host-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    const fs::path fixture = fs::path(CMON_FIXTURES_DIR) / "host" / "minimal";
    fs::copy(fixture, root / "live", fs::copy_options::recursive);
    HostPaths paths;
    paths.proc = root / "live" / "proc";
    paths.sys = root / "live" / "sys";
    HostSource source(paths);
    testing::TreeStates states(fixture / "proc" / "1", paths.proc / "1");
    int pid_one = 0;
    int own = 0;
    auto collect = [&](const std::string& state) {
        const bool has_dev = fs::exists(paths.proc / "1" / "net" / "dev");
        model::Snapshot draft;
        ASSERT_NO_THROW(source.collect(draft)) << state;
        const auto rx = draft.host.network_rx.bytes_total;
        const auto tx = draft.host.network_tx.bytes_total;
        if (has_dev) {
            EXPECT_TRUE(rx == 1000U && tx == 2000U) << rx << "/" << tx << " " << state;
            ++pid_one;
        } else {
            EXPECT_TRUE(rx == 7U && tx == 8U) << rx << "/" << tx << " " << state;
            ++own;
        }
        EXPECT_EQ(draft.host.memory_total_bytes, 1000U * 1024) << state;
    };
    for (std::size_t count = 0; count <= states.size(); ++count) {
        states.show_prefix(count);
        collect("with the first " + std::to_string(count) + " entries of /proc/1");
    }
    for (std::size_t index = 0; index < states.size(); ++index) {
        states.show_without(index);
        collect("without /proc/1/" + states.entry(index).string());
    }
    EXPECT_GT(pid_one, 0);
    EXPECT_GT(own, 0);
    fs::remove_all(root);
}

}  // namespace
}  // namespace cmon::sources
