// HostSource while /proc/1 (whose net/dev is the host's network namespace) vanishes and comes back during
// collects (issue 8, "Faults"): no exception, and the network totals are pid 1's or, while it is gone, our
// own namespace's: never a mix and never garbage.
#include <unistd.h>

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
    int from_pid_one = 0;
    for (int i = 0; i < 2000; ++i) {
        model::Snapshot draft;
        ASSERT_NO_THROW(source.collect(draft));
        const auto rx = draft.host.network_rx.bytes_total;
        const auto tx = draft.host.network_tx.bytes_total;
        // pid 1's ens3 (1000/2000) or our own eth0 (7/8); an empty file read mid-copy counts nothing.
        const bool pid_one = rx == 1000U && tx == 2000U;
        const bool own = rx == 7U && tx == 8U;
        ASSERT_TRUE(pid_one || own || (rx == 0U && tx == 0U)) << rx << "/" << tx;
        if (pid_one) ++from_pid_one;
        ASSERT_EQ(draft.host.memory_total_bytes, 1000U * 1024);
    }
    churn.stop();
    model::Snapshot settled;
    source.collect(settled);
    EXPECT_EQ(settled.host.network_rx.bytes_total, 1000U);
    std::printf("pid 1's namespace in %d of 2000 collects (%d churn rounds)\n", from_pid_one, churn.rounds());
    fs::remove_all(root);
}

}  // namespace
}  // namespace cmon::sources
