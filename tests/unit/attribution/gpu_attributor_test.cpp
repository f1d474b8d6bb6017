// GpuAttributor over the fixture /proc tree in tests/fixtures/attribution/proc (see its README), and over a
// temporary copy that the test changes between ticks to check caching and eviction.
#include "attribution/gpu_attributor.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "attribution/gpu_attribution_stage.hpp"
#include "fakes/fake_clock.hpp"
#include "util/error.hpp"

namespace cmon::attribution {
namespace {

namespace fs = std::filesystem;

const std::string kA = "3f4e6a1b2c9d8e7f60718293a4b5c6d7e8f90123456789abcdef0123456789ab";
const std::string kB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kC = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const fs::path kFixtureProc = fs::path(CMON_FIXTURES_DIR) / "attribution" / "proc";

sources::HostPaths paths_at(const fs::path& proc) {
    sources::HostPaths paths;
    paths.proc = proc;
    return paths;
}

model::Snapshot draft_with(std::initializer_list<unsigned> pids) {
    model::Snapshot draft;
    for (const std::string& id : {kA, kB}) {
        model::ContainerStats container;
        container.id = id;
        container.short_id = id.substr(0, 12);
        draft.containers.push_back(container);
    }
    for (unsigned pid : pids) {
        model::GpuProcess process;
        process.pid = pid;
        process.memory_used_bytes = 1000;
        draft.gpu_processes.push_back(process);
    }
    return draft;
}

const model::GpuProcess& process(const model::Snapshot& draft, unsigned pid) {
    auto it = std::find_if(draft.gpu_processes.begin(), draft.gpu_processes.end(),
                           [&](const model::GpuProcess& p) { return p.pid == pid; });
    if (it == draft.gpu_processes.end()) throw std::runtime_error("no pid " + std::to_string(pid));
    return *it;
}

TEST(GpuAttributor, AttributesEveryLayoutInTheFixtureTree) {
    GpuAttributor attributor(paths_at(kFixtureProc));
    model::Snapshot draft = draft_with({4101, 4102, 4103, 4104, 4105, 9999});
    attributor.attribute(draft);

    EXPECT_EQ(process(draft, 4101).container_id, kA);
    EXPECT_EQ(process(draft, 4101).container_pid, 1U);
    EXPECT_TRUE(process(draft, 4101).process_exists);

    EXPECT_EQ(process(draft, 4102).container_id, kB);
    EXPECT_EQ(process(draft, 4102).container_pid, 57U);

    EXPECT_FALSE(process(draft, 4103).container_id.has_value()) << "host process";
    EXPECT_FALSE(process(draft, 4103).container_pid.has_value());
    EXPECT_TRUE(process(draft, 4103).process_exists);

    EXPECT_EQ(process(draft, 4104).container_id, kC) << "podman; not a running docker container, still an id";
    EXPECT_FALSE(process(draft, 4104).container_pid.has_value()) << "no status file";

    EXPECT_FALSE(process(draft, 4105).container_id.has_value()) << "cgroup unreadable, no fallback";
    EXPECT_TRUE(process(draft, 4105).process_exists);

    EXPECT_FALSE(process(draft, 9999).process_exists) << "gone but holding memory";
    EXPECT_FALSE(process(draft, 9999).container_id.has_value());
}

TEST(GpuAttributor, DockerTopFallbackIsAskedOncePerTickForUnresolvedPidsOnly) {
    int calls = 0;
    std::vector<std::string> asked;
    GpuAttributor attributor(paths_at(kFixtureProc), [&](const std::vector<std::string>& ids) {
        ++calls;
        asked = ids;
        return std::map<std::string, std::vector<unsigned>>{{kB, {4105, 9999, 4101}}};
    });
    model::Snapshot draft = draft_with({4101, 4105, 9999});
    attributor.attribute(draft);

    EXPECT_EQ(calls, 1);
    EXPECT_EQ(asked, (std::vector<std::string>{kA, kB}));
    EXPECT_EQ(process(draft, 4101).container_id, kA) << "/proc answer is not overridden";
    EXPECT_EQ(process(draft, 4105).container_id, kB);
    EXPECT_EQ(process(draft, 9999).container_id, kB);
    EXPECT_TRUE(process(draft, 9999).process_exists) << "docker top saw it";

    model::Snapshot resolved_only = draft_with({4101, 4103});
    attributor.attribute(resolved_only);
    EXPECT_EQ(calls, 1) << "nothing unresolved: Docker is not asked";
}

TEST(GpuAttributor, FailingFallbackLeavesProcessesUnattributed) {
    GpuAttributor attributor(paths_at(kFixtureProc),
                             [](const std::vector<std::string>&) -> std::map<std::string, std::vector<unsigned>> {
                                 throw util::Error("docker: GET /containers/x/top: connection refused");
                             });
    model::Snapshot draft = draft_with({4105, 4101});
    attributor.attribute(draft);
    EXPECT_FALSE(process(draft, 4105).container_id.has_value());
    EXPECT_EQ(process(draft, 4101).container_id, kA);
}

class GpuAttributorCache : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("cmon-attribution-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        fs::copy(kFixtureProc, root_, fs::copy_options::recursive);
    }
    void TearDown() override { fs::remove_all(root_); }
    void write_cgroup(unsigned pid, const std::string& text) {
        fs::create_directories(root_ / std::to_string(pid));
        std::ofstream(root_ / std::to_string(pid) / "cgroup") << text;
    }
    fs::path root_;
};

TEST_F(GpuAttributorCache, CachesPerPidAndEvictsPidsThatLeaveTheGpu) {
    GpuAttributor attributor(paths_at(root_));
    model::Snapshot first = draft_with({4101, 4103});
    attributor.attribute(first);
    EXPECT_EQ(attributor.cached_pids(), 2U);

    // A changed file is not re-read while the pid stays on the GPU (the cache answers)...
    write_cgroup(4101, "0::/docker/" + kB + "\n");
    model::Snapshot second = draft_with({4101, 4103});
    attributor.attribute(second);
    EXPECT_EQ(process(second, 4101).container_id, kA);

    // ...a pid that left the GPU is forgotten...
    model::Snapshot third = draft_with({4103});
    attributor.attribute(third);
    EXPECT_EQ(attributor.cached_pids(), 1U);

    // ...and read afresh when it comes back.
    model::Snapshot fourth = draft_with({4101, 4103});
    attributor.attribute(fourth);
    EXPECT_EQ(process(fourth, 4101).container_id, kB);
}

TEST_F(GpuAttributorCache, AProcessThatExitsKeepsItsLastAttributionUntilThePidIsReused) {
    GpuAttributor attributor(paths_at(root_));
    model::Snapshot first = draft_with({4102});
    attributor.attribute(first);
    EXPECT_EQ(process(first, 4102).container_id, kB);

    fs::remove_all(root_ / "4102");
    model::Snapshot second = draft_with({4102});
    attributor.attribute(second);
    EXPECT_FALSE(process(second, 4102).process_exists);
    EXPECT_EQ(process(second, 4102).container_id, kB) << "which container leaked the memory";

    write_cgroup(4102, "0::/user.slice/user-1000.slice/session-9.scope\n");
    model::Snapshot third = draft_with({4102});
    attributor.attribute(third);
    EXPECT_TRUE(process(third, 4102).process_exists);
    EXPECT_FALSE(process(third, 4102).container_id.has_value()) << "pid reused by a host process";
}

// The pid given to another process between two ticks (never seen gone): /proc/<pid> is a new directory,
// so the cached answer is not used. The old directory is moved aside, not removed, so the new one cannot
// get its inode number back (the fixture's filesystem may reuse a freed one at once).
TEST_F(GpuAttributorCache, APidReusedBetweenTwoTicksIsReadAgain) {
    GpuAttributor attributor(paths_at(root_));
    model::Snapshot first = draft_with({4102, 4101});
    attributor.attribute(first);
    EXPECT_EQ(process(first, 4102).container_id, kB);
    model::Snapshot again = draft_with({4102, 4101});
    attributor.attribute(again);
    EXPECT_EQ(attributor.reads(), 2U) << "the same processes: answered from the cache";

    fs::rename(root_ / "4102", root_ / "old-4102");
    write_cgroup(4102, "0::/user.slice/user-1000.slice/session-9.scope\n");
    model::Snapshot second = draft_with({4102, 4101});
    attributor.attribute(second);
    EXPECT_TRUE(process(second, 4102).process_exists);
    EXPECT_FALSE(process(second, 4102).container_id.has_value()) << "pid reused by a host process";
    EXPECT_EQ(process(second, 4101).container_id, kA);
    EXPECT_EQ(attributor.reads(), 3U) << "only the reused pid is read again";
}

// Reused by a process whose cgroup file cannot be read: the old process's container is not its.
TEST_F(GpuAttributorCache, APidReusedByAnUnreadableProcessLosesTheOldAnswer) {
    GpuAttributor attributor(paths_at(root_));
    model::Snapshot first = draft_with({4102});
    attributor.attribute(first);
    EXPECT_EQ(process(first, 4102).container_id, kB);

    fs::rename(root_ / "4102", root_ / "old-4102");
    fs::create_directories(root_ / "4102");  // no cgroup file
    model::Snapshot second = draft_with({4102});
    attributor.attribute(second);
    EXPECT_TRUE(process(second, 4102).process_exists);
    EXPECT_FALSE(process(second, 4102).container_id.has_value());
    EXPECT_EQ(attributor.cached_pids(), 0U);
}

// On the real /proc a live process keeps its /proc/<pid> identity: it is read once, not every tick.
TEST(GpuAttributorOnProcfs, ALiveProcessIsReadOnce) {
    GpuAttributor attributor(sources::HostPaths{});
    for (int tick = 0; tick < 5; ++tick) {
        model::Snapshot draft;
        model::GpuProcess self;
        self.pid = static_cast<unsigned>(::getpid());
        draft.gpu_processes.push_back(self);
        attributor.attribute(draft);
        EXPECT_TRUE(draft.gpu_processes[0].process_exists);
    }
    EXPECT_EQ(attributor.reads(), 1U);
}

TEST(GpuAttributionStage, AttributesAndMarksIdleHolders) {
    testing::FakeClock clock;
    GpuAttributionStage source(paths_at(kFixtureProc), IdleTrackerOptions{500, std::chrono::minutes(10), 1}, {}, clock);
    EXPECT_EQ(source.name(), "attribution");

    auto tick = [&] {
        model::Snapshot draft = draft_with({4101});
        draft.gpu_processes[0].sm_percent = 0;
        draft.gpu_processes[0].sm_percent_fresh = true;
        source.run(draft);
        return draft;
    };
    const auto start = clock.system_now();
    model::Snapshot first = tick();
    EXPECT_EQ(first.gpu_processes[0].container_id, kA);
    EXPECT_FALSE(first.gpu_processes[0].idle_since.has_value());
    clock.advance(std::chrono::minutes(5));
    tick();  // idle needs several fresh samples at ~0 (IdleTrackerOptions::min_fresh_idle_samples)
    clock.advance(std::chrono::minutes(5));
    model::Snapshot later = tick();
    EXPECT_EQ(later.gpu_processes[0].idle_since, start);
}

}  // namespace
}  // namespace cmon::attribution
