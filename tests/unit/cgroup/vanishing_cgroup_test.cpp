// CgroupReader while the container's init process and cgroup directories vanish mid-read (issue 8,
// "Faults"): no exception, and the intact values once the tree stands still. Every partial state of the
// trees is met one at a time (TreeStates); a thread that churns them shows the reads racing it both find
// the container and miss it.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

#include "fakes/vanishing_tree.hpp"
#include "sources/cgroup/cgroup_reader.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Case {
    const char* tree;
    int init_pid;
    std::vector<std::string> churned;  // relative to the tree: what comes and goes
};

class VanishingCgroup : public ::testing::TestWithParam<Case> {};

TEST_P(VanishingCgroup, ReadsDuringChurnNeverThrowAndAreCompleteOnceSettled) {
    const Case& c = GetParam();
    const fs::path root = fs::temp_directory_path() / ("cmon-vanish-cgroup-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / c.tree, root / "live", fs::copy_options::recursive);
    fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / c.tree, root / "original", fs::copy_options::recursive);
    HostPaths paths;
    paths.proc = root / "live" / "proc";
    paths.sys = root / "live" / "sys";
    paths.cgroup_root = root / "live" / "sys" / "fs" / "cgroup";

    const CgroupReader reader(paths);
    const CgroupStats intact = reader.read_container(kId, c.init_pid);
    ASSERT_TRUE(intact.found);

    // Everything of the container goes and comes back together, as when it stops and starts again.
    std::vector<std::pair<fs::path, fs::path>> trees;
    for (const auto& relative : c.churned) trees.emplace_back(root / "original" / relative, root / "live" / relative);
    testing::VanishingTree churn(trees);
    // Until the reads have both found the container and missed it (the race ran both ways), at least 3000.
    int found = 0;
    int missed = 0;
    int reads = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((reads < 3000 || found == 0 || missed == 0) && std::chrono::steady_clock::now() < deadline) {
        CgroupStats got;
        ASSERT_NO_THROW(got = reader.read_container(kId, c.init_pid));
        ++(got.found ? found : missed);
        ++reads;
    }
    churn.stop();
    EXPECT_GT(found, 0) << "no read found the container while its tree churned (" << reads << " reads)";
    EXPECT_GT(missed, 0) << "no read missed the container while its tree churned (" << reads << " reads)";
    EXPECT_EQ(reader.read_container(kId, c.init_pid), intact) << "complete again once the tree stands still";
    fs::remove_all(root);
}

// A value read from a partial tree: the intact one, or none when its file was missing. The working set
// is usage less inactive file memory, so without memory.stat it may be the usage itself; in a hybrid v1
// layout without the cpuacct directory the CPU time comes from the unified hierarchy's cpu.stat (µs).
void expect_intact_or_missing(const CgroupStats& got, const CgroupStats& intact, const std::string& state) {
    auto check = [&](const auto& value, const auto& whole, const char* name) {
        if (value) {
            EXPECT_EQ(value, whole) << name << " in state " << state;
        }
    };
    if (got.cpu_time_ns_total && intact.cpu_time_ns_total &&
        *got.cpu_time_ns_total != *intact.cpu_time_ns_total) {
        EXPECT_EQ(*got.cpu_time_ns_total, *intact.cpu_time_ns_total / 1000 * 1000) << "cpu in state " << state;
    }
    check(got.memory_usage_bytes, intact.memory_usage_bytes, "memory usage");
    check(got.memory_limit_bytes, intact.memory_limit_bytes, "memory limit");
    check(got.pids, intact.pids, "pids");
    check(got.block_read_bytes_total, intact.block_read_bytes_total, "block read");
    check(got.block_write_bytes_total, intact.block_write_bytes_total, "block write");
    if (got.memory_working_set_bytes && *got.memory_working_set_bytes != intact.memory_working_set_bytes) {
        EXPECT_EQ(got.memory_working_set_bytes, got.memory_usage_bytes) << "working set in state " << state;
    }
    if (!got.found) {
        EXPECT_EQ(got, CgroupStats{}) << "nothing found, nothing reported, in state " << state;
    }
}

TEST_P(VanishingCgroup, EveryPartialTreeGivesIntactOrMissingValues) {
    const Case& c = GetParam();
    const fs::path root = fs::temp_directory_path() / ("cmon-states-cgroup-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / c.tree, root / "live", fs::copy_options::recursive);
    fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / c.tree, root / "original", fs::copy_options::recursive);
    HostPaths paths;
    paths.proc = root / "live" / "proc";
    paths.sys = root / "live" / "sys";
    paths.cgroup_root = root / "live" / "sys" / "fs" / "cgroup";
    const CgroupReader reader(paths);
    const CgroupStats intact = reader.read_container(kId, c.init_pid);
    ASSERT_TRUE(intact.found);

    int found = 0;
    int missed = 0;
    int partial = 0;  // found, with some value missing
    for (const auto& relative : c.churned) {
        testing::TreeStates states(root / "original" / relative, root / "live" / relative);
        auto read = [&](const std::string& state) {
            CgroupStats got;
            ASSERT_NO_THROW(got = reader.read_container(kId, c.init_pid)) << state;
            expect_intact_or_missing(got, intact, relative + " " + state);
            ++(got.found ? found : missed);
            if (got.found && got != intact) ++partial;
        };
        for (std::size_t count = 0; count <= states.size(); ++count) {
            states.show_prefix(count);
            read("with its first " + std::to_string(count) + " entries");
        }
        EXPECT_EQ(reader.read_container(kId, c.init_pid), intact) << relative << " whole again";
        for (std::size_t index = 0; index < states.size(); ++index) {
            states.show_without(index);
            read("without " + states.entry(index).string());
        }
    }
    // Every churned tree gone at once: the container is not found, and says nothing.
    for (const auto& relative : c.churned) fs::remove_all(root / "live" / relative);
    const CgroupStats gone = reader.read_container(kId, c.init_pid);
    EXPECT_EQ(gone, CgroupStats{});
    ++(gone.found ? found : missed);
    EXPECT_GT(found, 0);
    EXPECT_GT(missed, 0);
    EXPECT_GT(partial, 0) << "no state gave a found container with a value missing";
    fs::remove_all(root);
}

const std::string kV2Scope = "sys/fs/cgroup/system.slice/docker-" + kId + ".scope";
// Every hierarchy the v1 fixture has a directory of the container in.
const std::string kV1 = "sys/fs/cgroup/memory/docker/" + kId;
const std::string kV1Cpu = "sys/fs/cgroup/cpuacct/docker/" + kId;
const std::string kV1CpuShares = "sys/fs/cgroup/cpu/docker/" + kId;
const std::string kV1Pids = "sys/fs/cgroup/pids/docker/" + kId;
const std::string kV1Blkio = "sys/fs/cgroup/blkio/docker/" + kId;
const std::string kV1Unified = "sys/fs/cgroup/unified/docker/" + kId;

INSTANTIATE_TEST_SUITE_P(Trees, VanishingCgroup,
                         ::testing::Values(Case{"v2-systemd", 555, {"proc/555", kV2Scope}},
                                           Case{"v1-cgroupfs", 4242,
                                                {"proc/4242", kV1, kV1Cpu, kV1CpuShares, kV1Pids, kV1Blkio,
                                                 kV1Unified}}),
                         [](const auto& info) {
                             std::string name = info.param.tree;
                             for (char& ch : name) {
                                 if (ch == '-') ch = '_';
                             }
                             return name;
                         });

}  // namespace
}  // namespace cmon::sources
