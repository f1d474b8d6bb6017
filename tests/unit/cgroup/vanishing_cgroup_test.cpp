// CgroupReader while the container's init process and cgroup directories vanish mid-read (issue 8,
// "Faults"): no exception, and the intact values once the tree stands still.
#include <unistd.h>

#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <vector>

#include "fakes/vanishing_tree.hpp"
#include "sources/cgroup/cgroup_reader.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Counts fields that differ from the intact tree. They are not failures: the test's copy re-creates files
// empty before writing them (an empty io.stat is "no I/O yet"), and a missing memory.stat changes the
// working set; a real kernel never shows a half-written file. What must hold: no exception, and complete
// values again once the tree stands still.
template <class T>
int differs(const std::optional<T>& got, const std::optional<T>& intact) {
    return got && got != intact ? 1 : 0;
}

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

    std::vector<std::unique_ptr<testing::VanishingTree>> churn;
    for (const auto& relative : c.churned) {
        churn.push_back(
            std::make_unique<testing::VanishingTree>(root / "original" / relative, root / "live" / relative));
    }
    int found = 0;
    int partial = 0;
    for (int i = 0; i < 3000; ++i) {
        CgroupStats got;
        ASSERT_NO_THROW(got = reader.read_container(kId, c.init_pid));
        if (got.found) ++found;
        partial += differs(got.cpu_time_ns_total, intact.cpu_time_ns_total) +
                   differs(got.memory_usage_bytes, intact.memory_usage_bytes) +
                   differs(got.memory_working_set_bytes, intact.memory_working_set_bytes) +
                   differs(got.memory_limit_bytes, intact.memory_limit_bytes) + differs(got.pids, intact.pids) +
                   differs(got.block_read_bytes_total, intact.block_read_bytes_total) +
                   differs(got.block_write_bytes_total, intact.block_write_bytes_total);
    }
    for (auto& tree : churn) tree->stop();
    EXPECT_EQ(reader.read_container(kId, c.init_pid), intact) << "complete again once the tree stands still";
    std::printf("%s: found in %d of 3000 reads while churning, %d fields from half-copied files\n", c.tree, found,
                partial);
    fs::remove_all(root);
}

const std::string kV2Scope = "sys/fs/cgroup/system.slice/docker-" + kId + ".scope";
const std::string kV1 = "sys/fs/cgroup/memory/docker/" + kId;
const std::string kV1Cpu = "sys/fs/cgroup/cpuacct/docker/" + kId;

INSTANTIATE_TEST_SUITE_P(Trees, VanishingCgroup,
                         ::testing::Values(Case{"v2-systemd", 555, {"proc/555", kV2Scope}},
                                           Case{"v1-cgroupfs", 4242, {"proc/4242", kV1, kV1Cpu}}),
                         [](const auto& info) {
                             std::string name = info.param.tree;
                             for (char& ch : name) {
                                 if (ch == '-') ch = '_';
                             }
                             return name;
                         });

}  // namespace
}  // namespace cmon::sources
