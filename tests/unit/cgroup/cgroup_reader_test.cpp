// CgroupReader over the checked-in trees in tests/fixtures/cgroup (see its README) and small temporary trees
// for the cases a fixture cannot hold (a container vanishing, odd values).
#include "sources/cgroup/cgroup_reader.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kCustomParentId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

HostPaths fixture(const fs::path& tree) {
    const fs::path root = fs::path(CMON_FIXTURES_DIR) / "cgroup" / tree;
    HostPaths paths;
    paths.proc = root / "proc";
    paths.sys = root / "sys";
    paths.cgroup_root = root / "sys" / "fs" / "cgroup";
    return paths;
}

// A scratch copy of a fixture tree (or an empty one), removed at the end of the test.
class TempTree {
public:
    TempTree() {
        root_ = fs::temp_directory_path() /
                ("cmon-cgroup-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
        fs::create_directories(root_);
    }
    explicit TempTree(const fs::path& fixture_tree) : TempTree() {
        fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / fixture_tree, root_, fs::copy_options::recursive);
    }
    ~TempTree() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    HostPaths paths() const {
        HostPaths paths;
        paths.proc = root_ / "proc";
        paths.cgroup_root = root_ / "sys" / "fs" / "cgroup";
        return paths;
    }
    fs::path cgroup(const fs::path& relative) const { return root_ / "sys" / "fs" / "cgroup" / relative; }
    void write(const fs::path& relative_to_cgroup_root, const std::string& text) const {
        const fs::path file = cgroup(relative_to_cgroup_root);
        fs::create_directories(file.parent_path());
        std::ofstream(file) << text;
    }

private:
    static inline int counter_ = 0;
    fs::path root_;
};

TEST(CgroupReader, DetectsVersions) {
    EXPECT_EQ(CgroupReader(fixture("v1-cgroupfs")).version(), CgroupVersion::hybrid);
    EXPECT_EQ(CgroupReader(fixture("v1-comounted")).version(), CgroupVersion::v1);
    EXPECT_EQ(CgroupReader(fixture("v2-systemd")).version(), CgroupVersion::v2);
    EXPECT_EQ(CgroupReader(fixture("v2-cgroupfs")).version(), CgroupVersion::v2);
    EXPECT_EQ(CgroupReader(fixture("no-such-tree")).version(), CgroupVersion::none);
}

TEST(CgroupReader, FindsSeparateAndCoMountedControllers) {
    CgroupReader separate(fixture("v1-cgroupfs"));
    EXPECT_EQ(separate.mounts().cpuacct.filename(), "cpuacct");
    EXPECT_EQ(separate.mounts().unified.filename(), "unified");
    CgroupReader comounted(fixture("v1-comounted"));
    EXPECT_EQ(comounted.mounts().cpuacct.filename(), "cpu,cpuacct");
    EXPECT_EQ(comounted.mounts().memory.filename(), "memory");
    EXPECT_TRUE(comounted.mounts().unified.empty());
}

// Readable failure messages for whole-struct comparisons.
void PrintTo(const std::optional<std::uint64_t>& v, std::ostream* os) {
    if (v) {
        *os << *v;
    } else {
        *os << "-";
    }
}

}  // namespace

void PrintTo(const CgroupStats& s, std::ostream* os) {
    *os << "{found=" << s.found << " cpu_ns=";
    PrintTo(s.cpu_time_ns_total, os);
    *os << " usage=";
    PrintTo(s.memory_usage_bytes, os);
    *os << " working_set=";
    PrintTo(s.memory_working_set_bytes, os);
    *os << " limit=";
    PrintTo(s.memory_limit_bytes, os);
    *os << " pids=";
    PrintTo(s.pids, os);
    *os << " read=";
    PrintTo(s.block_read_bytes_total, os);
    *os << " write=";
    PrintTo(s.block_write_bytes_total, os);
    for (const auto& [name, value] :
         {std::pair{" user=", s.cpu_user_ns_total}, {" system=", s.cpu_system_ns_total}, {" rss=", s.memory_rss_bytes},
          {" cache=", s.memory_cache_bytes}, {" swap=", s.memory_swap_bytes}, {" failcnt=", s.memory_failcnt},
          {" oom_kill=", s.oom_kill_events_total}, {" quota=", s.cpu_quota_us}, {" period=", s.cpu_period_us}}) {
        *os << name;
        PrintTo(value, os);
    }
    *os << "}";
}

namespace {

// What each fixture tree holds for its container (values from the files; see tests/fixtures/cgroup/README.md).
const CgroupStats kV1Cgroupfs = {
    .cpu_time_ns_total = 123456789012ULL,  // cpuacct.usage, not the unified cpu.stat
    .memory_usage_bytes = 104857600,
    .memory_working_set_bytes = 104857600 - 20971520,  // total_inactive_file, not inactive_file
    .memory_limit_bytes = std::nullopt,                // page-counter max = unlimited
    .pids = 7,
    .block_read_bytes_total = 4096100,  // summed over two devices
    .block_write_bytes_total = 1024200,
    .cpu_user_ns_total = 1800000000ULL,  // cpuacct.stat: 180 and 45 ticks at USER_HZ 100
    .cpu_system_ns_total = 450000000ULL,
    .memory_rss_bytes = 79691776,  // total_rss
    .memory_cache_bytes = 25165824,
    .memory_swap_bytes = std::nullopt,  // no total_swap: swap accounting off
    .memory_failcnt = 3,
    .oom_kill_events_total = 1,  // memory.oom_control
    .cpu_quota_us = 150000,      // separate cpu mount
    .cpu_period_us = 100000,
    .found = true,
};
const CgroupStats kV1Comounted = {
    .cpu_time_ns_total = 5000000000ULL,
    .memory_usage_bytes = 52428800,
    .memory_working_set_bytes = 52428800 - 4194304,
    .memory_limit_bytes = 268435456,
    .pids = 3,
    .block_read_bytes_total = 8192,  // throttle file holds only "Total 0": the recursive file is used
    .block_write_bytes_total = 4096,
    .cpu_user_ns_total = std::nullopt,
    .cpu_system_ns_total = std::nullopt,
    .memory_rss_bytes = 44040192,
    .memory_cache_bytes = 8388608,
    .memory_swap_bytes = std::nullopt,
    .memory_failcnt = std::nullopt,
    .oom_kill_events_total = std::nullopt,
    .cpu_quota_us = std::nullopt,  // -1: unlimited
    .cpu_period_us = 100000,       // co-mounted cpu,cpuacct
    .found = true,
};
const CgroupStats kV1CustomParent = {
    .cpu_time_ns_total = 777000,
    .memory_usage_bytes = 1048576,
    .memory_working_set_bytes = std::nullopt,  // no memory.stat, limit, pids or blkio files: unknown, not zero
    .memory_limit_bytes = std::nullopt,
    .pids = std::nullopt,
    .block_read_bytes_total = std::nullopt,
    .block_write_bytes_total = std::nullopt,
    .cpu_user_ns_total = std::nullopt,
    .cpu_system_ns_total = std::nullopt,
    .memory_rss_bytes = std::nullopt,
    .memory_cache_bytes = std::nullopt,
    .memory_swap_bytes = std::nullopt,
    .memory_failcnt = std::nullopt,
    .oom_kill_events_total = std::nullopt,
    .cpu_quota_us = std::nullopt,
    .cpu_period_us = std::nullopt,
    .found = true,
};
const CgroupStats kV2Systemd = {
    .cpu_time_ns_total = 2500000000ULL,
    .memory_usage_bytes = 73400320,
    .memory_working_set_bytes = 73400320 - 10485760,
    .memory_limit_bytes = 536870912,
    .pids = 12,
    .block_read_bytes_total = 91889664,
    .block_write_bytes_total = 613781504,
    .cpu_user_ns_total = 2000000000ULL,  // cpu.stat user_usec / system_usec
    .cpu_system_ns_total = 500000000ULL,
    .memory_rss_bytes = 52428800,  // anon
    .memory_cache_bytes = 18874368,  // file
    .memory_swap_bytes = 4096,       // memory.swap.current
    .memory_failcnt = 7,             // memory.events max
    .oom_kill_events_total = 2,
    .cpu_quota_us = std::nullopt,  // cpu.max "max 100000"
    .cpu_period_us = 100000,
    .found = true,
};
const CgroupStats kV2Cgroupfs = {
    .cpu_time_ns_total = 1000000,
    .memory_usage_bytes = 4096,
    .memory_working_set_bytes = 4096,
    .memory_limit_bytes = std::nullopt,  // "max"
    .pids = std::nullopt,                // pids controller not enabled
    .block_read_bytes_total = 0,         // empty io.stat: no I/O yet
    .block_write_bytes_total = 0,
    .cpu_user_ns_total = 600000,
    .cpu_system_ns_total = 400000,
    .memory_rss_bytes = 4096,
    .memory_cache_bytes = 0,
    .memory_swap_bytes = std::nullopt,
    .memory_failcnt = std::nullopt,
    .oom_kill_events_total = std::nullopt,
    .cpu_quota_us = std::nullopt,
    .cpu_period_us = std::nullopt,
    .found = true,
};

TEST(CgroupReader, FixtureTrees) {
    const struct {
        const char* name;
        const char* tree;
        std::string id;
        std::optional<int> init_pid;
        CgroupStats expected;
    } cases[] = {
        {"v1 through /proc", "v1-cgroupfs", kId, 4242, kV1Cgroupfs},
        {"v1 by docker path", "v1-cgroupfs", kId, std::nullopt, kV1Cgroupfs},
        {"v1 init exited: no proc file", "v1-cgroupfs", kId, 99999, kV1Cgroupfs},
        {"v1 namespace-relative /../.. proc paths fall back", "v1-cgroupfs", kId, 4343, kV1Cgroupfs},
        {"co-mounted systemd through /proc", "v1-comounted", kId, 777, kV1Comounted},
        {"co-mounted systemd by docker path", "v1-comounted", kId, std::nullopt, kV1Comounted},
        {"custom cgroup parent through /proc", "v1-comounted", kCustomParentId, 888, kV1CustomParent},
        {"custom cgroup parent without /proc", "v1-comounted", kCustomParentId, std::nullopt, CgroupStats{}},
        {"v2 systemd through /proc", "v2-systemd", kId, 555, kV2Systemd},
        {"v2 systemd by docker path", "v2-systemd", kId, std::nullopt, kV2Systemd},
        {"v2 cgroupfs, proc says 0::/ (namespace root)", "v2-cgroupfs", kId, 321, kV2Cgroupfs},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(CgroupReader(fixture(c.tree)).read_container(c.id, c.init_pid), c.expected) << c.name;
    }
    // The same files read as a sample reads them: queued in a batch (io_uring, or pread), twice.
    for (auto mode : {KernelFileBatch::Mode::automatic, KernelFileBatch::Mode::pread_only}) {
        KernelFileBatch batch(mode);
        for (const auto& c : cases) {
            CgroupHandle handle = CgroupReader(fixture(c.tree)).open_container(c.id, c.init_pid);
            for (int round = 0; round < 2; ++round) {
                batch.clear();
                handle.queue(batch);
                batch.run();
                EXPECT_EQ(handle.read(&batch), c.expected) << c.name << " (batch, round " << round << ")";
            }
        }
    }
}

TEST(CgroupReader, ReadWithAnOlderBatchReadsTheFilesAgain) {
    TempTree tree("v2-systemd");
    const fs::path dir = fs::path("system.slice") / ("docker-" + kId + ".scope");
    CgroupHandle handle = CgroupReader(tree.paths()).open_container(kId, std::nullopt);
    KernelFileBatch batch;
    handle.queue(batch);
    batch.run();
    tree.write(dir / "pids.current", "9\n");
    EXPECT_EQ(handle.read(&batch).pids, 12U);  // the text the batch read before the change
    batch.clear();                             // tickets void: the handle reads its files itself
    EXPECT_EQ(handle.read(&batch).pids, 9U);
}

TEST(CgroupReader, UnknownContainerIsNotFound) {
    for (const char* tree : {"v1-cgroupfs", "v1-comounted", "v2-systemd", "v2-cgroupfs", "no-such-tree"}) {
        CgroupReader reader(fixture(tree));
        EXPECT_FALSE(reader.read_container(std::string(64, 'a'), std::nullopt).found) << tree;
        EXPECT_FALSE(reader.read_container("", std::nullopt).found) << tree;
    }
}

TEST(CgroupReader, IdIsNeverSplicedIntoPathsUnchecked) {
    TempTree tree("v2-cgroupfs");
    tree.write("memory.current", "1\n");  // what "docker/.." would reach
    CgroupReader reader(tree.paths());
    EXPECT_FALSE(reader.read_container("..", std::nullopt).found);
    EXPECT_FALSE(reader.read_container("../docker/" + kId, std::nullopt).found);
}

TEST(CgroupReader, VanishedContainer) {
    TempTree tree("v1-cgroupfs");
    CgroupReader reader(tree.paths());  // detection happened while the tree was complete
    ASSERT_TRUE(reader.read_container(kId, 4242).found);
    for (const char* controller : {"cpuacct", "memory", "blkio", "pids", "unified", "cpu"}) {
        fs::remove_all(tree.cgroup(fs::path(controller) / "docker" / kId));
    }
    auto s = reader.read_container(kId, 4242);
    EXPECT_FALSE(s.found);
    EXPECT_EQ(s.cpu_time_ns_total, std::nullopt);
    EXPECT_EQ(s.memory_usage_bytes, std::nullopt);
}

TEST(CgroupReader, PartlyVanishedGivesNulloptFields) {
    TempTree tree("v2-systemd");
    CgroupReader reader(tree.paths());
    const fs::path dir = fs::path("system.slice") / ("docker-" + kId + ".scope");
    fs::remove(tree.cgroup(dir / "memory.current"));
    fs::remove(tree.cgroup(dir / "io.stat"));
    auto s = reader.read_container(kId, std::nullopt);
    EXPECT_TRUE(s.found);
    EXPECT_EQ(s.cpu_time_ns_total, 2500000000ULL);
    EXPECT_EQ(s.memory_usage_bytes, std::nullopt);
    EXPECT_EQ(s.memory_working_set_bytes, std::nullopt);
    EXPECT_EQ(s.memory_limit_bytes, 536870912U);
    EXPECT_EQ(s.block_read_bytes_total, std::nullopt);
}

TEST(CgroupReader, WorkingSetClampsAtZeroAndDefaultsToUsage) {
    TempTree tree;
    tree.write("cgroup.controllers", "cpu memory\n");
    tree.write("docker/" + kId + "/memory.current", "1000\n");
    tree.write("docker/" + kId + "/memory.stat", "inactive_file 5000\n");
    CgroupReader reader(tree.paths());
    EXPECT_EQ(reader.read_container(kId, std::nullopt).memory_working_set_bytes, 0U);
    tree.write("docker/" + kId + "/memory.stat", "anon 1000\n");  // no inactive_file: as docker, usage
    EXPECT_EQ(reader.read_container(kId, std::nullopt).memory_working_set_bytes, 1000U);
}

TEST(CgroupReader, HybridFallsBackToUnifiedCpuStat) {
    TempTree tree;
    tree.write("memory/docker/" + kId + "/memory.usage_in_bytes", "10\n");
    tree.write("unified/cgroup.controllers", "");
    tree.write("unified/docker/" + kId + "/cpu.stat", "usage_usec 5\n");
    CgroupReader reader(tree.paths());
    ASSERT_EQ(reader.version(), CgroupVersion::hybrid);
    EXPECT_EQ(reader.read_container(kId, std::nullopt).cpu_time_ns_total, 5000U);
}

TEST(CgroupReader, ExactControllerDirectoryWinsOverCoMounted) {
    TempTree tree;
    tree.write("cpu,cpuacct/docker/" + kId + "/cpuacct.usage", "1\n");
    tree.write("cpuacct/docker/" + kId + "/cpuacct.usage", "2\n");
    CgroupReader reader(tree.paths());
    EXPECT_EQ(reader.mounts().cpuacct.filename(), "cpuacct");
    EXPECT_EQ(reader.read_container(kId, std::nullopt).cpu_time_ns_total, 2U);
}

// v1: memory.stat's hierarchical_memory_limit stands in for memory.limit_in_bytes when the two agree at open
// (one file fewer per sample); a smaller limit above the container keeps the limit file, so the value is
// the container's own limit either way.
TEST(CgroupReader, V1LimitFromMemoryStatWhenItEqualsTheLimitFile) {
    const struct {
        const char* name;
        const char* in_stat;
        const char* in_file;
        std::optional<std::uint64_t> expected;
        std::size_t open_files;
    } cases[] = {
        {"limited", "67108864", "67108864", 67108864U, 2},
        {"unlimited", "9223372036854771712", "9223372036854771712", std::nullopt, 2},
        {"smaller limit on a parent", "33554432", "67108864", 67108864U, 3},
        {"no hierarchical_memory_limit line", nullptr, "67108864", 67108864U, 3},
    };
    for (const auto& c : cases) {
        TempTree tree;
        const std::string dir = "memory/docker/" + kId + "/";
        tree.write(dir + "memory.usage_in_bytes", "4096\n");
        tree.write(dir + "memory.stat",
                   std::string("total_inactive_file 0\n") +
                       (c.in_stat ? std::string("hierarchical_memory_limit ") + c.in_stat + "\n" : ""));
        tree.write(dir + "memory.limit_in_bytes", std::string(c.in_file) + "\n");
        CgroupReader reader(tree.paths());
        CgroupHandle handle = reader.open_container(kId, std::nullopt);
        EXPECT_EQ(handle.open_files(), c.open_files) << c.name;
        EXPECT_EQ(handle.read().memory_limit_bytes, c.expected) << c.name;
        EXPECT_EQ(handle.dir(), tree.cgroup(dir).parent_path()) << c.name;
    }
}

TEST(CgroupReader, V1LimitFromMemoryStatFollowsAnUpdate) {
    TempTree tree;
    const std::string dir = "memory/docker/" + kId + "/";
    tree.write(dir + "memory.usage_in_bytes", "4096\n");
    tree.write(dir + "memory.stat", "hierarchical_memory_limit 9223372036854771712\n");
    tree.write(dir + "memory.limit_in_bytes", "9223372036854771712\n");
    CgroupReader reader(tree.paths());
    CgroupHandle handle = reader.open_container(kId, std::nullopt);
    EXPECT_EQ(handle.read().memory_limit_bytes, std::nullopt);
    tree.write(dir + "memory.stat", "hierarchical_memory_limit 134217728\n");  // docker update --memory 128m
    EXPECT_EQ(handle.read().memory_limit_bytes, 134217728U);
}

TEST(CgroupReader, DefaultContainerParentsAreInTheCpuHierarchy) {
    TempTree tree;
    tree.write("cpuacct/docker/" + kId + "/cpuacct.usage", "1\n");
    tree.write("memory/docker/" + kId + "/memory.usage_in_bytes", "1\n");
    CgroupReader reader(tree.paths());
    EXPECT_EQ(reader.default_container_parents(),
              (std::vector<fs::path>{tree.cgroup("cpuacct/docker"), tree.cgroup("cpuacct/system.slice")}));
    EXPECT_EQ(reader.open_container(kId, std::nullopt).dir(), tree.cgroup("cpuacct/docker/" + kId));

    TempTree v2("v2-systemd");
    CgroupReader v2_reader(v2.paths());
    EXPECT_EQ(v2_reader.default_container_parents(),
              (std::vector<fs::path>{v2.cgroup("docker"), v2.cgroup("system.slice")}));
    EXPECT_EQ(v2_reader.open_container(kId, std::nullopt).dir(),
              v2.cgroup(fs::path("system.slice") / ("docker-" + kId + ".scope")));

    TempTree empty;
    EXPECT_TRUE(CgroupReader(empty.paths()).default_container_parents().empty());
}

}  // namespace
}  // namespace cmon::sources

namespace cmon::sources {
namespace {

// One cgroup v1 container in a scratch tree (memory and cpu,cpuacct hierarchies), read as a sample
// reads it: queued in a batch, run, read.
class V1Container {
public:
    void memory(const std::string& file, const std::string& text) { tree_.write(memory_dir_ + file, text); }
    void cpu(const std::string& file, const std::string& text) { tree_.write(cpu_dir_ + file, text); }
    void blkio(const std::string& file, const std::string& text) { tree_.write(blkio_dir_ + file, text); }
    CgroupHandle& handle() {
        if (!handle_) handle_ = CgroupReader(tree_.paths()).open_container(kId, std::nullopt);
        return *handle_;
    }
    // `steady`: as the source samples it under a parent that did not move (SteadyTree).
    CgroupStats sample(bool steady = false) { return sample(TreeState{.cpu = steady, .memory = steady}); }
    CgroupStats sample(TreeState tree) {
        batch_.clear();
        handle().queue(batch_, tree);
        batch_.run();
        return handle().read(&batch_);
    }

private:
    TempTree tree_;
    const std::string memory_dir_ = "memory/docker/" + kId + "/";
    const std::string cpu_dir_ = "cpu,cpuacct/docker/" + kId + "/";
    const std::string blkio_dir_ = "blkio/docker/" + kId + "/";
    std::optional<CgroupHandle> handle_;
    KernelFileBatch batch_;
};

// The files that only feed cAdvisor's slow series are read every kSecondaryEvery reads; the primary
// ones every read. v1: failcnt and the quota change at once, usage too.
TEST(CgroupReader, SecondaryFilesAreReadEveryFewReadsAndRepeatedBetween) {
    V1Container c;
    c.memory("memory.usage_in_bytes", "4096\n");
    c.memory("memory.failcnt", "1\n");
    c.cpu("cpuacct.usage", "1000\n");
    c.cpu("cpu.cfs_quota_us", "50000\n");
    CgroupStats first = c.sample();
    EXPECT_EQ(first.memory_failcnt, 1U);
    EXPECT_EQ(first.cpu_quota_us, 50000U);
    c.memory("memory.usage_in_bytes", "8192\n");
    c.memory("memory.failcnt", "2\n");
    c.cpu("cpu.cfs_quota_us", "100000\n");
    for (unsigned read = 1; read < CgroupHandle::kSecondaryEvery; ++read) {
        const CgroupStats between = c.sample();
        EXPECT_EQ(between.memory_usage_bytes, 8192U) << read;  // primary: every read
        EXPECT_EQ(between.memory_failcnt, 1U) << read;         // repeated, not dropped
        EXPECT_EQ(between.cpu_quota_us, 50000U) << read;
    }
    const CgroupStats due = c.sample();
    EXPECT_EQ(due.memory_failcnt, 2U);
    EXPECT_EQ(due.cpu_quota_us, 100000U);
    // Reads without a batch follow the same rhythm.
    c.memory("memory.failcnt", "3\n");
    EXPECT_EQ(c.handle().read().memory_failcnt, 2U);
}

// An idle container (CPU time unmoved between its last two reads) gets only its CPU file read; the rest
// repeats until the CPU moves again or a complete read is due (every kSecondaryEvery-th read).
TEST(CgroupReader, AnIdleContainerHasOnlyItsCpuReadUntilItMoves) {
    V1Container c;
    c.memory("memory.usage_in_bytes", "4096\n");
    c.cpu("cpuacct.usage", "1000\n");
    EXPECT_EQ(c.sample().memory_usage_bytes, 4096U);  // read 0: complete
    EXPECT_EQ(c.sample().memory_usage_bytes, 4096U);  // read 1: complete; the CPU did not move: idle
    c.memory("memory.usage_in_bytes", "8192\n");
    const CgroupStats quiet = c.sample();  // read 2: the CPU file alone
    EXPECT_TRUE(quiet.found);
    EXPECT_EQ(quiet.memory_usage_bytes, 4096U);
    EXPECT_EQ(quiet.cpu_time_ns_total, 1000U);
    c.cpu("cpuacct.usage", "2000\n");  // it runs again: everything is read at once
    const CgroupStats woken = c.sample();  // read 3
    EXPECT_EQ(woken.cpu_time_ns_total, 2000U);
    EXPECT_EQ(woken.memory_usage_bytes, 8192U);
    EXPECT_EQ(c.sample().memory_usage_bytes, 8192U);  // read 4: not idle yet (the CPU moved at read 3)
    c.memory("memory.usage_in_bytes", "16384\n");
    EXPECT_EQ(c.sample().memory_usage_bytes, 16384U);  // read 5: complete (due), CPU unmoved: idle again
    EXPECT_EQ(c.sample().memory_usage_bytes, 16384U);  // read 6: quiet
    c.memory("memory.usage_in_bytes", "32768\n");
    for (int read = 7; read < 10; ++read) EXPECT_EQ(c.sample().memory_usage_bytes, 16384U) << read;  // quiet
    EXPECT_EQ(c.sample().memory_usage_bytes, 32768U);  // read 10: complete although idle
}

// Under a steady parent an idle container is not read at all, until every kSteadyCompleteEvery-th read.
TEST(CgroupReader, AnIdleContainerInASteadyTreeIsReadOnlyWhenACompleteReadIsDue) {
    V1Container c;
    c.memory("memory.usage_in_bytes", "4096\n");
    c.memory("memory.failcnt", "1\n");
    c.cpu("cpuacct.usage", "1000\n");
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 4096U);  // read 0: complete (nothing to repeat yet)
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 4096U);  // read 1: complete, CPU unmoved: idle from now
    c.memory("memory.usage_in_bytes", "8192\n");
    c.cpu("cpuacct.usage", "5000\n");  // not read: the steady parent vouches for it
    c.memory("memory.failcnt", "2\n");
    for (unsigned read = 2; read < CgroupHandle::kSteadyCompleteEvery; ++read) {
        const CgroupStats repeated = c.sample(true);
        EXPECT_TRUE(repeated.found) << read;
        EXPECT_EQ(repeated.memory_usage_bytes, 4096U) << read;
        EXPECT_EQ(repeated.cpu_time_ns_total, 1000U) << read;
        EXPECT_EQ(repeated.memory_failcnt, 1U) << read;
        EXPECT_TRUE(c.handle().repeated()) << read;
    }
    const CgroupStats complete = c.sample(true);  // read 120: everything
    EXPECT_FALSE(c.handle().repeated());
    EXPECT_EQ(complete.cpu_time_ns_total, 5000U);
    EXPECT_EQ(complete.memory_usage_bytes, 8192U);
    EXPECT_EQ(complete.memory_failcnt, 2U);
}

TEST(CgroupReader, ASteadyTreeDoesNotSpareAContainerThatRanAtItsLastRead) {
    V1Container c;
    c.memory("memory.usage_in_bytes", "4096\n");
    c.cpu("cpuacct.usage", "1000\n");
    c.sample(true);
    c.cpu("cpuacct.usage", "2000\n");
    c.sample(false);  // read 1: the CPU moved (the parent too: not steady)
    c.memory("memory.usage_in_bytes", "8192\n");
    // It ran at its last read, so its memory may still be settling: it is read whole once more.
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 8192U);
    c.memory("memory.usage_in_bytes", "16384\n");
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 8192U);  // now idle: repeated
    // Outside a steady tree an idle container has its CPU file read again.
    c.cpu("cpuacct.usage", "3000\n");
    const CgroupStats woken = c.sample(false);
    EXPECT_EQ(woken.cpu_time_ns_total, 3000U);
    EXPECT_EQ(woken.memory_usage_bytes, 16384U);
}

TEST(CgroupReader, ParentFilesAreTheKindsTheContainerIsReadFrom) {
    V1Container v1;
    v1.memory("memory.usage_in_bytes", "4096\n");
    v1.cpu("cpuacct.usage", "1000\n");
    EXPECT_EQ(v1.handle().parent_cpu_file().filename(), "cpuacct.usage");
    EXPECT_EQ(v1.handle().parent_cpu_file().parent_path(), v1.handle().dir().parent_path());
    EXPECT_EQ(v1.handle().parent_memory_file().filename(), "memory.stat");
    EXPECT_EQ(v1.handle().parent_memory_file().parent_path().filename(), "docker");
    EXPECT_EQ(v1.handle().parent_memory_file().parent_path().parent_path().filename(), "memory");

    TempTree v2("v2-cgroupfs");
    CgroupHandle handle = CgroupReader(v2.paths()).open_container(kId, std::nullopt);
    EXPECT_EQ(handle.parent_cpu_file(), v2.cgroup("docker/cpu.stat"));
    EXPECT_EQ(handle.parent_memory_file(), v2.cgroup("docker/memory.stat"));
    EXPECT_EQ(CgroupHandle{}.parent_cpu_file(), fs::path{});
}

// Under a parent whose CPU time stood still but whose memory moved, an idle container has its memory and
// IO files read at its next kSecondaryEvery-th read; its CPU file, process count and slow files are not.
TEST(CgroupReader, AMovedParentMemoryReadsOnlyTheMemoryOfAnIdleContainer) {
    V1Container c;
    c.memory("memory.usage_in_bytes", "4096\n");
    c.memory("memory.failcnt", "1\n");
    c.cpu("cpuacct.usage", "1000\n");
    c.sample(true);  // read 0
    c.sample(true);  // read 1: idle
    c.memory("memory.usage_in_bytes", "8192\n");
    c.memory("memory.failcnt", "2\n");
    c.cpu("cpuacct.usage", "5000\n");
    EXPECT_EQ(c.sample(TreeState{.cpu = true, .memory = false}).memory_usage_bytes, 4096U);  // read 2: noted
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 4096U);                                     // read 3
    EXPECT_EQ(c.sample(true).memory_usage_bytes, 4096U);                                     // read 4
    const CgroupStats memory = c.sample(true);                                               // read 5
    EXPECT_EQ(memory.memory_usage_bytes, 8192U);
    EXPECT_EQ(memory.cpu_time_ns_total, 1000U);
    EXPECT_EQ(memory.memory_failcnt, 1U);
    c.memory("memory.usage_in_bytes", "16384\n");
    for (int read = 6; read < 11; ++read) EXPECT_EQ(c.sample(true).memory_usage_bytes, 8192U) << read;  // none
}

// With its memory.stat, an idle container's memory round reads that file first: when it reads as at the
// container's last read the kernel worked on another container, and nothing else is read. When it moved,
// the usage is read, and on v1 not the blkio file: v1 charges no writeback to the container.
TEST(CgroupReader, AMemoryRoundReadsTheRestOnlyWhenTheContainersMemoryStatMoved) {
    V1Container c;
    c.blkio("blkio.throttle.io_service_bytes", "8:0 Read 100\n8:0 Write 200\nTotal 300\n");
    c.memory("memory.usage_in_bytes", "4096\n");
    c.memory("memory.stat", "total_cache 0\ntotal_rss 4096\ntotal_inactive_file 0\n");
    c.cpu("cpuacct.usage", "1000\n");
    c.sample(true);  // read 0
    c.sample(true);  // read 1: idle
    const TreeState moved{.cpu = true, .memory = false};
    c.memory("memory.usage_in_bytes", "8192\n");  // no kernel would, with memory.stat unmoved: not read
    c.sample(moved);                                // read 2: noted
    for (int read = 3; read < 5; ++read) c.sample(true);
    const CgroupStats same = c.sample(true);  // read 5: the memory round, memory.stat as before
    EXPECT_TRUE(c.handle().repeated());
    EXPECT_EQ(same.memory_usage_bytes, 4096U);
    c.memory("memory.stat", "total_cache 4096\ntotal_rss 4096\ntotal_inactive_file 4096\n");
    c.blkio("blkio.throttle.io_service_bytes", "8:0 Read 500\n8:0 Write 200\nTotal 700\n");
    c.sample(moved);  // read 6: noted
    for (int read = 7; read < 10; ++read) EXPECT_EQ(c.sample(true).memory_usage_bytes, 4096U) << read;
    const CgroupStats moved_read = c.sample(true);  // read 10: memory.stat moved, the rest is read
    EXPECT_FALSE(c.handle().repeated());
    EXPECT_EQ(moved_read.memory_usage_bytes, 8192U);
    EXPECT_EQ(moved_read.memory_working_set_bytes, 4096U);
    EXPECT_EQ(moved_read.memory_cache_bytes, 4096U);
    EXPECT_EQ(moved_read.block_read_bytes_total, 100U);
    // The container runs: a complete read, whose memory.stat is the one the next round compares with.
    c.memory("memory.stat", "total_cache 8192\ntotal_rss 4096\ntotal_inactive_file 4096\n");
    c.cpu("cpuacct.usage", "2000\n");
    EXPECT_EQ(c.sample(false).memory_cache_bytes, 8192U);  // read 11
    c.sample(true);                                        // read 12: read whole once more, idle again
    c.memory("memory.usage_in_bytes", "16384\n");
    c.sample(moved);  // read 13: noted
    c.sample(true);   // read 14
    const CgroupStats after_run = c.sample(true);  // read 15: the round, memory.stat as at read 12
    EXPECT_TRUE(c.handle().repeated());
    EXPECT_EQ(after_run.memory_usage_bytes, 8192U);
    EXPECT_EQ(after_run.cpu_time_ns_total, 2000U);
}

}  // namespace
}  // namespace cmon::sources
