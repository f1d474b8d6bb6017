// ContainerSource against a real private dockerd (the ctest fixture "dockerd", see ../CMakeLists.txt) and
// real containers from cmon-test/busybox, always with --network none. Reads this host's real /proc and
// cgroup files. Waits for conditions with deadlines; every container it starts is removed at the end.
#include "sources/docker/container_source.hpp"

#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

#include "sources/pid_watch.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace cmon::sources {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

struct TestDaemon {
    std::string host;  // unix:///tmp/cmon-it-.../docker.sock
    std::string dir;
};

TestDaemon read_env_file() {
    TestDaemon out;
    std::ifstream in(CMON_TEST_DOCKERD_ENV);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("DOCKER_HOST=")) {
            out.host = line.substr(12);
        } else if (line.starts_with("DOCKERD_DIR=")) {
            out.dir = line.substr(12);
        }
    }
    return out;
}

struct Command {
    int status = -1;
    std::string out;
};

Command run(const std::string& command) {
    Command result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) {
        result.out.append(buf.data(), n);
    }
    result.status = ::pclose(pipe);
    while (!result.out.empty() && result.out.back() == '\n') {
        result.out.pop_back();
    }
    return result;
}

bool wait_until(std::chrono::milliseconds deadline, const std::function<bool()>& condition) {
    auto end = SteadyClock::now() + deadline;
    while (SteadyClock::now() < end) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return condition();
}

const model::ContainerStats* find(const model::Snapshot& snapshot, const std::string& id) {
    auto it =
        std::find_if(snapshot.containers.begin(), snapshot.containers.end(), [&](const auto& c) { return c.id == id; });
    return it == snapshot.containers.end() ? nullptr : &*it;
}

class DockerIntegration : public ::testing::Test {
protected:
    static void SetUpTestSuite() { daemon_ = read_env_file(); }

    void SetUp() override {
        ASSERT_FALSE(daemon_.host.empty())
            << "no DOCKER_HOST in " << CMON_TEST_DOCKERD_ENV << ": run through ctest (fixture dockerd_start)";
        paths_.docker_endpoint = daemon_.host;
    }

    void TearDown() override {
        for (const auto& name : created_) {
            run(docker("rm -f " + name));
        }
    }

    std::string docker(const std::string& args) const { return "docker -H " + daemon_.host + " " + args; }

    // Starts a container (always --network none, --init so signals reach the workload) and returns its id.
    std::string start(const std::string& name, const std::string& options, const std::string& command) {
        std::string full_name = "cmon-it-" + name;
        run(docker("rm -f " + full_name));
        created_.push_back(full_name);
        auto result = run(docker("run -d --init --network none --name " + full_name + " " + options +
                                 " cmon-test/busybox " + command));
        EXPECT_EQ(result.status, 0) << result.out;
        return result.out.substr(result.out.rfind('\n') + 1);
    }

    model::Snapshot collect(ContainerSource& source) {
        model::Snapshot snapshot;
        source.collect(snapshot);
        return snapshot;
    }

    static inline TestDaemon daemon_;
    HostPaths paths_;
    std::vector<std::string> created_;

    void rename_and_pause_are_seen(bool follow, const std::string& name);
};

TEST_F(DockerIntegration, CpuLimitedBusyLoopUsesHalfACore) {
    ContainerSourceOptions options;
    options.label_allowlist = {"cmon.test.keep"};
    ContainerSource source(paths_, options);
    std::string id = start("cpu", "--cpus 0.5 --label cmon.test.keep=yes --label cmon.test.drop=no",
                           "timeout 60 sh -c 'while :; do :; done'");
    ASSERT_EQ(id.size(), 64u);

    model::Snapshot first;
    ASSERT_TRUE(wait_until(10s, [&] {
        first = collect(source);
        const auto* c = find(first, id);
        return c != nullptr && c->cpu_time_ns_total && *c->cpu_time_ns_total > 0;
    }));
    const auto* c = find(first, id);
    EXPECT_EQ(c->short_id, id.substr(0, 12));
    EXPECT_EQ(c->name, "cmon-it-cpu");
    EXPECT_EQ(c->image, "cmon-test/busybox");
    EXPECT_EQ(c->state, "running");
    EXPECT_EQ(c->labels, (std::map<std::string, std::string>{{"cmon.test.keep", "yes"}}));
    ASSERT_TRUE(c->started_at);
    EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - *c->started_at), 60s);
    ASSERT_TRUE(c->init_pid);
    auto host_cgroup = util::read_text_file(paths_.proc / std::to_string(*c->init_pid) / "cgroup");
    ASSERT_TRUE(host_cgroup);
    EXPECT_NE(host_cgroup->find(id), std::string::npos);  // a host pid of this very container
    EXPECT_GE(c->pids.value_or(0), 2u);                   // docker-init + sh
    ASSERT_TRUE(c->network_rx);                           // --network none: only lo, excluded -> 0
    EXPECT_EQ(c->network_rx->bytes_total, 0u);
    EXPECT_FALSE(c->cpu_percent);  // rates are the sampler's job

    // What the quota guarantees, however loaded this machine is: over any window the container gets at
    // most 0.5 CPU-seconds per second plus what the CFS periods cut by the window's two ends allow (one
    // quota each: 2 x 50 ms at the default 100 ms period), and it gets some. The window is waited for
    // as a condition (200 ms of the container's CPU time), not slept, and the wall time taken around both
    // reads covers the CPU time they saw.
    const auto t1 = SteadyClock::now();
    const auto s1 = collect(source);
    ASSERT_TRUE(find(s1, id) && find(s1, id)->cpu_time_ns_total);
    const std::uint64_t cpu1 = *find(s1, id)->cpu_time_ns_total;
    model::Snapshot s2;
    ASSERT_TRUE(wait_until(60s, [&] {
        s2 = collect(source);
        const auto* c = find(s2, id);
        return c != nullptr && c->cpu_time_ns_total && *c->cpu_time_ns_total >= cpu1 + 200'000'000;
    })) << "the busy loop did not get 200 ms of CPU within 60 s";
    const auto t2 = SteadyClock::now();
    const double cpu_ns = static_cast<double>(*find(s2, id)->cpu_time_ns_total - cpu1);
    const double wall_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t2 - t1).count());
    RecordProperty("cpu_percent_of_one_core", std::to_string(cpu_ns / wall_ns * 100.0));
    EXPECT_GT(cpu_ns, 0.0);
    EXPECT_LE(cpu_ns, 0.5 * wall_ns + 2 * 50e6) << "more CPU than --cpus 0.5 allows over " << wall_ns / 1e6 << " ms";
}

TEST_F(DockerIntegration, TmpfsPagesCountAsWorkingSet) {
    ContainerSource source(paths_);
    std::string id =
        start("tmpfs", "--tmpfs /t:size=200m", "sh -c 'dd if=/dev/zero of=/t/f bs=1M count=128 && sleep 120'");
    std::optional<std::uint64_t> working_set;
    std::optional<std::uint64_t> usage;
    bool reached = wait_until(30s, [&] {
        auto snapshot = collect(source);
        if (const auto* c = find(snapshot, id)) {
            working_set = c->memory_working_set_bytes;
            usage = c->memory_usage_bytes;
        }
        return working_set && *working_set >= 120u << 20;
    });
    std::printf("measured: working set %.1f MiB, usage %.1f MiB\n",
                static_cast<double>(working_set.value_or(0)) / (1 << 20),
                static_cast<double>(usage.value_or(0)) / (1 << 20));
    EXPECT_TRUE(reached) << "working set " << working_set.value_or(0);
    ASSERT_TRUE(usage);
    EXPECT_GE(*usage, *working_set);
}

TEST_F(DockerIntegration, StoppedContainerDisappearsAndNewOneAppears) {
    ContainerSource source(paths_);
    std::string old_id = start("old", "", "sleep 120");
    ASSERT_TRUE(wait_until(10s, [&] { return find(collect(source), old_id) != nullptr; }));

    auto stopped = run(docker("stop -t 1 cmon-it-old"));
    ASSERT_EQ(stopped.status, 0) << stopped.out;
    std::string new_id = start("new", "", "sleep 120");
    model::Snapshot snapshot;
    ASSERT_TRUE(wait_until(10s, [&] {
        snapshot = collect(source);
        return find(snapshot, old_id) == nullptr && find(snapshot, new_id) != nullptr;
    }));
    const auto* fresh = find(snapshot, new_id);
    EXPECT_EQ(fresh->name, "cmon-it-new");
    EXPECT_TRUE(fresh->init_pid);
    EXPECT_TRUE(fresh->memory_usage_bytes);
}

// A rename and a pause change nothing a local source watches (init process, cgroup directories): only the
// daemon's event log tells. With no routine full list during the test, they must come through it.
// A rename, a pause and an unpause seen through the event log with the list reused: followed on a stream
// (the default), or asked for in windows (`follow` false).
void DockerIntegration::rename_and_pause_are_seen(bool follow, const std::string& name) {
    ContainerSourceOptions options;
    options.list_refresh = 300ms;      // the event-log check (windows)
    options.list_refresh_max = 10min;  // no routine full list in this test
    options.follow_events = follow;
    ContainerSource source(paths_, options);
    std::string id = start(name, "", "sleep 120");
    ASSERT_TRUE(wait_until(10s, [&] { return find(collect(source), id) != nullptr; }));
    for (int i = 0; i < 3; ++i) collect(source);  // the list is reused from here on
    // Where the list is not reused (no pidfds: every collect lists), this test would pass without the event
    // log. It must not: the reuse is asserted first.
    ASSERT_TRUE(PidWatch::open(::getpid())) << "pidfd_open(2) is refused on this host (kernel < 5.3 or seccomp): "
                                               "the list reuse and its event-log check cannot be tested here";
    const auto lists = source.lists_fetched();
    for (int i = 0; i < 3; ++i) collect(source);
    ASSERT_EQ(source.lists_fetched(), lists) << "the container list was fetched again with nothing changed";
    ASSERT_EQ(source.following(), follow);

    const std::string full = "cmon-it-" + name;
    auto renamed = run(docker("rename " + full + " " + full + "2"));
    ASSERT_EQ(renamed.status, 0) << renamed.out;
    created_.push_back(full + "2");
    EXPECT_TRUE(wait_until(10s, [&] {
        auto snapshot = collect(source);
        const auto* c = find(snapshot, id);
        return c != nullptr && c->name == full + "2";
    }));

    auto paused = run(docker("pause " + full + "2"));
    ASSERT_EQ(paused.status, 0) << paused.out;
    EXPECT_TRUE(wait_until(10s, [&] {
        auto snapshot = collect(source);
        const auto* c = find(snapshot, id);
        return c != nullptr && c->state == "paused";
    }));
    run(docker("unpause " + full + "2"));
    EXPECT_TRUE(wait_until(10s, [&] {
        auto snapshot = collect(source);
        const auto* c = find(snapshot, id);
        return c != nullptr && c->state == "running";
    }));
    EXPECT_EQ(source.following(), follow) << "the stream ended";
}

TEST_F(DockerIntegration, RenameAndPauseAreSeenThroughTheFollowedEventLog) { rename_and_pause_are_seen(true, "ev"); }

TEST_F(DockerIntegration, RenameAndPauseAreSeenThroughWindowsOfTheEventLog) {
    rename_and_pause_are_seen(false, "evw");
}

TEST_F(DockerIntegration, StatsApiFallbackWhenCgroupsAreUnreachable) {
    // Roots that do not exist stand in for a remote daemon: no container cgroup is reachable from here.
    paths_.proc = "/nonexistent-cmon-proc";
    paths_.sys = "/nonexistent-cmon-sys";
    paths_.cgroup_root = "/nonexistent-cmon-cgroup";
    ContainerSource source(paths_);
    std::string a = start("stats-a", "--memory 64m", "sleep 120");
    std::string b = start("stats-b", "", "sleep 120");
    model::Snapshot snapshot;
    auto begin = SteadyClock::now();
    ASSERT_TRUE(wait_until(30s, [&] {
        snapshot = collect(source);
        const auto* ca = find(snapshot, a);
        const auto* cb = find(snapshot, b);
        return ca && cb && ca->cpu_time_ns_total && cb->cpu_time_ns_total;
    }));
    auto elapsed = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    std::printf("measured: stats API fallback, first complete collect of 2 containers after %.2f s\n", elapsed);
    const auto* ca = find(snapshot, a);
    EXPECT_EQ(ca->memory_limit_bytes, 64u << 20);
    EXPECT_TRUE(ca->memory_working_set_bytes);
    EXPECT_GE(ca->pids.value_or(0), 1u);
    EXPECT_FALSE(find(snapshot, b)->memory_limit_bytes);  // unlimited
    EXPECT_TRUE(ca->block_read);
}

// The source keeps each container's cgroup and /proc files open between collects and watches its init
// process: a restart (new init, new cgroup directory) must show the new pid and fresh counters.
TEST_F(DockerIntegration, RestartedContainerIsFollowedToItsNewInit) {
    ContainerSource source(paths_);
    std::string id = start("restart", "", "sleep 120");
    std::optional<int> old_pid;
    ASSERT_TRUE(wait_until(10s, [&] {
        auto snapshot = collect(source);
        const auto* c = find(snapshot, id);
        old_pid = c != nullptr && c->memory_usage_bytes ? c->init_pid : std::nullopt;
        return old_pid.has_value();
    }));
    collect(source);  // a second collect: the files are kept open from here on

    auto restarted = run(docker("restart -t 0 cmon-it-restart"));
    ASSERT_EQ(restarted.status, 0) << restarted.out;
    model::Snapshot snapshot;
    ASSERT_TRUE(wait_until(10s,
                           [&] {
                               snapshot = collect(source);
                               const auto* c = find(snapshot, id);
                               return c != nullptr && c->init_pid && *c->init_pid != *old_pid &&
                                      c->memory_usage_bytes && c->pids;
                           }))
        << "old init pid " << *old_pid;
    const auto* c = find(snapshot, id);
    auto host_cgroup = util::read_text_file(paths_.proc / std::to_string(*c->init_pid) / "cgroup");
    ASSERT_TRUE(host_cgroup);
    EXPECT_NE(host_cgroup->find(id), std::string::npos);
    EXPECT_GE(*c->pids, 1u);
    ASSERT_TRUE(c->network_rx);
}

// Last: it restarts the daemon the other cases share.
TEST_F(DockerIntegration, DaemonRestartIsAnErrorWhileDownAndRecovers) {
    ContainerSource source(paths_);
    EXPECT_NO_THROW(collect(source));

    auto pid_text = util::read_text_file(daemon_.dir + "/dockerd.pid");
    ASSERT_TRUE(pid_text);
    pid_t pid = std::stoi(*pid_text);
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    ASSERT_TRUE(wait_until(30s, [&] { return ::kill(pid, 0) != 0; })) << "dockerd " << pid << " did not exit";

    try {
        collect(source);
        ADD_FAILURE() << "collect worked with dockerd down";
    } catch (const util::Error& e) {
        std::string message = e.what();
        EXPECT_TRUE(message.starts_with("docker: GET /containers/json: ")) << message;
        EXPECT_NE(message.find(daemon_.host), std::string::npos) << message;
        std::printf("while down: %s\n", e.what());
    }

    auto restarted = run(std::string(CMON_SOURCE_DIR) + "/scripts/start-test-dockerd.sh " + daemon_.dir);
    ASSERT_EQ(restarted.status, 0) << restarted.out;
    std::string id = start("after", "", "sleep 120");
    ASSERT_TRUE(wait_until(30s, [&] {
        try {
            return find(collect(source), id) != nullptr;
        } catch (const util::Error& e) {
            std::printf("still down: %s\n", e.what());
            return false;
        }
    }));
}

}  // namespace
}  // namespace cmon::sources
