// The container-list reuse policy of ContainerSource (its ListWatch), driven by a fake clock against the
// in-process fake daemon (tests/fakes/fake_docker_daemon.hpp) and a copy of the v2 cgroupfs fixture tree
// whose /proc names this test process, so the pidfds the policy relies on watch a process that stays alive.
// Asserts the exact requests each collect makes: a reused list costs no request at all, the event-log check
// is one GET /events and no GET /containers/json, and each reason to list again gives a list.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/child_process.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_docker_daemon.hpp"
#include "sources/docker/container_source.hpp"
#include "sources/pid_watch.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kList = "GET /v1.41/containers/json?all=0 HTTP/1.1";
const std::string kInspect = "GET /v1.41/containers/" + kId + "/json HTTP/1.1";

std::int64_t unix_ns(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// The request line ContainerSource sends for the event window it should ask for.
std::string events_line(std::int64_t since_ns, std::int64_t until_ns) {
    return "GET " + DockerRequest::events(since_ns, until_ns).target("1.41") + " HTTP/1.1";
}

// A host root: the v2 cgroupfs fixture's cgroup tree, and /proc/<this pid> placed in the container's cgroup.
class HostTree {
public:
    HostTree() {
        root_ = fs::temp_directory_path() / ("cmon-list-policy-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "sys");
        fs::copy(fs::path(CMON_FIXTURES_DIR) / "cgroup" / "v2-cgroupfs" / "sys", root_ / "sys",
                 fs::copy_options::recursive);
        place(::getpid());
    }
    // /proc/<pid> of the container's init process, in the container's cgroup.
    void place(int pid, const std::string& id = kId) const {
        const fs::path proc = root_ / "proc" / std::to_string(pid);
        fs::create_directories(proc / "net");
        std::ofstream(proc / "cgroup") << "0::/docker/" << id << "\n";
        fs::copy_file(fs::path(CMON_FIXTURES_DIR) / "host" / "minimal" / "proc" / "1" / "net" / "dev",
                      proc / "net" / "dev", fs::copy_options::overwrite_existing);
    }
    ~HostTree() {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    HostPaths paths(const std::string& endpoint) const {
        return HostPaths{.proc = root_ / "proc",
                         .sys = root_ / "sys",
                         .cgroup_root = root_ / "sys" / "fs" / "cgroup",
                         .docker_endpoint = endpoint};
    }
    fs::path docker_parent() const { return root_ / "sys" / "fs" / "cgroup" / "docker"; }

private:
    fs::path root_;
};

// The daemon's answers; the test changes the name, the state and the event log between collects.
struct DaemonState {
    std::mutex mutex;
    std::string name = "web";
    std::string state = "running";
    std::string events_body;
    int events_status = 200;
    int stream_status = 200;  // GET /events without until: a stream (held open by ListFollow's daemon)
    int init_pid = ::getpid();
    // A second container in the list when set (its inspect answered too).
    std::string second_id;
    int second_pid = 0;
};

std::string answer(DaemonState& s, const std::string& line) {
    std::lock_guard lock(s.mutex);
    if (line.starts_with("GET /version ")) return testing::http_response(R"({"Version":"x","ApiVersion":"1.41"})");
    if (line == kList) {
        std::string second;
        if (!s.second_id.empty()) {
            second = R"(,{"Id":")" + s.second_id + R"(","Names":["/db"],"Image":"busybox","State":"running","Labels":{}})";
        }
        return testing::http_response(R"([{"Id":")" + kId + R"(","Names":["/)" + s.name +
                                      R"("],"Image":"busybox","State":")" + s.state + R"(","Labels":{}})" + second + "]");
    }
    const auto inspect = [](const std::string& id, int pid) {
        return testing::http_response(R"({"Id":")" + id + R"(","State":{"Pid":)" + std::to_string(pid) +
                                      R"(,"StartedAt":"2026-12-06T04:00:00.000000000Z"},"HostConfig":{}})");
    };
    if (line == kInspect) return inspect(kId, s.init_pid);
    if (!s.second_id.empty() && line == "GET /v1.41/containers/" + s.second_id + "/json HTTP/1.1") {
        return inspect(s.second_id, s.second_pid);
    }
    if (line.starts_with("GET /v1.41/events?") && line.find("until=") == std::string::npos) {
        if (s.stream_status == 0) return "";  // held, never answered
        return s.stream_status == 200 ? testing::http_stream_head()
                                      : testing::http_response(R"({"message":"no streams here"})", s.stream_status);
    }
    if (line.starts_with("GET /v1.41/events?")) return testing::http_response(s.events_body, s.events_status);
    return testing::http_response(R"({"message":"not here"})", 404);
}

std::string event(const std::string& action, std::chrono::system_clock::time_point at,
                  const std::string& type = "container") {
    return R"({"Type":")" + type + R"(","Action":")" + action + R"(","Actor":{"ID":")" + kId +
           R"("},"time":0,"timeNano":)" + std::to_string(unix_ns(at)) + "}\n";
}

class ListPolicy : public ::testing::Test {
protected:
    ListPolicy() : daemon_([this](const std::string& line) { return answer(state_, line); }) {
        ContainerSourceOptions options;
        options.list_refresh = 5s;
        options.list_refresh_max = 60s;
        options.follow_events = false;  // the windows; ListFollow below follows the stream
        source_ = std::make_unique<ContainerSource>(tree_.paths(daemon_.endpoint()), options, clock_);
    }

    model::Snapshot collect() {
        model::Snapshot draft;
        source_->collect(draft);
        return draft;
    }

    // Two collects: the first lists and inspects, the second lists again (the init process was not watched
    // yet) and opens the pidfd; from then on the list may be reused. Leaves the request log empty and
    // returns the wall-clock time the last list was asked for.
    std::chrono::system_clock::time_point warm_up() {
        EXPECT_TRUE(PidWatch::open(::getpid())) << "pidfd_open(2) refused here: the reuse policy needs pidfds";
        auto first = collect();
        EXPECT_EQ(daemon_.requests(), (std::vector<std::string>{"GET /version HTTP/1.1", kList, kInspect}));
        EXPECT_EQ(first.containers.size(), 1u);
        clock_.advance(1s);
        const auto listed = clock_.system_now();
        auto second = collect();
        EXPECT_EQ(daemon_.requests().back(), kList);
        EXPECT_EQ(second.containers.size(), 1u);
        EXPECT_TRUE(second.containers.at(0).cpu_time_ns_total) << "the fixture cgroup was not read";
        daemon_.clear_requests();
        return listed;
    }

    void set_events(std::string body, int status = 200) {
        std::lock_guard lock(state_.mutex);
        state_.events_body = std::move(body);
        state_.events_status = status;
    }

    HostTree tree_;
    DaemonState state_;
    testing::FakeDockerDaemon daemon_;
    testing::FakeClock clock_;
    std::unique_ptr<ContainerSource> source_;
};

TEST_F(ListPolicy, ReusesTheListWithoutAnyRequestBetweenEventChecks) {
    warm_up();
    const auto lists = source_->lists_fetched();
    for (int i = 0; i < 3; ++i) {
        clock_.advance(1s);  // 2, 3, 4 s after the list: before the event-log check is due
        auto snapshot = collect();
        ASSERT_EQ(snapshot.containers.size(), 1u);
        EXPECT_EQ(snapshot.containers[0].name, "web");
        EXPECT_TRUE(snapshot.containers[0].memory_usage_bytes);
        EXPECT_TRUE(snapshot.containers[0].network_rx);
    }
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
    EXPECT_EQ(source_->lists_fetched(), lists);
}

TEST_F(ListPolicy, AsksTheEventLogForTheWindowSinceTheListAndDoesNotList) {
    const auto listed = warm_up();
    clock_.advance(5s);  // list_refresh after the list
    collect();
    // The window starts a second before the list and ends a millisecond before now.
    const auto until = unix_ns(clock_.system_now()) - 1'000'000;
    EXPECT_EQ(daemon_.requests(), (std::vector<std::string>{events_line(unix_ns(listed) - 1'000'000'000, until)}));

    // The next window starts a second before the end of that one, list_refresh later.
    daemon_.clear_requests();
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
    clock_.advance(4s);
    collect();
    EXPECT_EQ(daemon_.requests(),
              (std::vector<std::string>{events_line(until - 1'000'000'000, unix_ns(clock_.system_now()) - 1'000'000)}));
}

TEST_F(ListPolicy, ARenameInTheEventLogListsAndShowsTheNewName) {
    const auto listed = warm_up();
    {
        std::lock_guard lock(state_.mutex);
        state_.name = "web2";
    }
    set_events(event("rename", listed + 2s));
    clock_.advance(5s);
    auto snapshot = collect();
    EXPECT_EQ(daemon_.requests(), (std::vector<std::string>{daemon_.requests().at(0), kList}));
    EXPECT_TRUE(daemon_.requests().at(0).starts_with("GET /v1.41/events?since="));
    ASSERT_EQ(snapshot.containers.size(), 1u);
    EXPECT_EQ(snapshot.containers[0].name, "web2");
}

TEST_F(ListPolicy, APauseInTheEventLogListsAndShowsTheState) {
    const auto listed = warm_up();
    {
        std::lock_guard lock(state_.mutex);
        state_.state = "paused";
    }
    set_events(event("pause", listed + 2s));
    clock_.advance(5s);
    auto snapshot = collect();
    ASSERT_EQ(daemon_.requests().size(), 2u);
    EXPECT_EQ(daemon_.requests()[1], kList);
    EXPECT_EQ(snapshot.containers.at(0).state, "paused");
}

TEST_F(ListPolicy, ANetworkConnectedToAContainerLists) {
    const auto listed = warm_up();
    set_events(event("connect", listed + 2s, "network"));
    clock_.advance(5s);
    collect();
    ASSERT_EQ(daemon_.requests().size(), 2u);
    EXPECT_EQ(daemon_.requests()[1], kList);
}

TEST_F(ListPolicy, EventsThatChangeNothingListedOrCameBeforeTheListDoNotList) {
    const auto listed = warm_up();
    set_events(event("exec_start: sh", listed + 2s) + event("health_status: healthy", listed + 2s) +
               event("rename", listed - 500ms) +          // already in the list
               event("create", listed + 2s, "network"));  // not a container event
    clock_.advance(5s);
    collect();
    ASSERT_EQ(daemon_.requests().size(), 1u);
    EXPECT_TRUE(daemon_.requests()[0].starts_with("GET /v1.41/events?"));
}

TEST_F(ListPolicy, AWindowFullEnoughToHaveLostEventsLists) {
    const auto listed = warm_up();
    std::string body;
    for (int i = 0; i < 128; ++i) body += event("exec_start: sh", listed + 2s);
    set_events(body);
    clock_.advance(5s);
    collect();
    EXPECT_EQ(daemon_.requests().size(), 2u);
    EXPECT_EQ(daemon_.requests().back(), kList);
}

TEST_F(ListPolicy, AnEventLogThatIsRefusedGivesRoutineListsEveryRefresh) {
    warm_up();
    set_events(R"({"message":"forbidden by the proxy"})", 403);
    clock_.advance(5s);
    collect();  // asks, is refused, lists (as after any change)...
    ASSERT_EQ(daemon_.requests().size(), 2u);
    EXPECT_EQ(daemon_.requests()[1], kList);
    daemon_.clear_requests();
    clock_.advance(1s);
    collect();  // ... and once more at the next collect
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    daemon_.clear_requests();
    clock_.advance(4s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});  // reused; the event log is not asked again
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});  // a routine list every list_refresh
}

TEST_F(ListPolicy, ANewCgroupBesideTheContainersListsWithoutAskingTheEventLog) {
    warm_up();
    clock_.advance(1s);
    fs::create_directory(tree_.docker_parent() / "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    // A change lists at the next collect too (the container may not have been running yet).
    daemon_.clear_requests();
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    daemon_.clear_requests();
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
}

// The container's init process exits: its pidfd says so at the next collect, which lists at once.
TEST_F(ListPolicy, AnInitThatExitsListsAtTheNextCollect) {
    testing::Child init;
    ASSERT_GT(init.pid(), 0);
    tree_.place(init.pid());
    {
        std::lock_guard lock(state_.mutex);
        state_.init_pid = init.pid();
    }
    warm_up();
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});  // reused while it runs
    init.let_exit();
    ASSERT_TRUE(init.wait_exited());
    clock_.advance(1s);
    collect();
    ASSERT_FALSE(daemon_.requests().empty());
    EXPECT_EQ(daemon_.requests().at(0), kList);
}

TEST_F(ListPolicy, ListsAtLeastEveryRefreshMaxEvenWithAQuietEventLog) {
    warm_up();
    for (int i = 0; i < 11; ++i) {
        clock_.advance(5s);  // 6 s ... 56 s after the list
        collect();
    }
    for (const auto& line : daemon_.requests()) EXPECT_NE(line, kList);
    daemon_.clear_requests();
    clock_.advance(5s);  // 61 s
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
}

TEST_F(ListPolicy, AnExplicitRefreshOfZeroListsEveryCollect) {
    ContainerSourceOptions options;
    options.list_refresh = 0ms;
    source_ = std::make_unique<ContainerSource>(tree_.paths(daemon_.endpoint()), options, clock_);
    collect();
    collect();
    daemon_.clear_requests();
    for (int i = 0; i < 3; ++i) {
        clock_.advance(1s);
        collect();
    }
    EXPECT_EQ(daemon_.requests(), (std::vector<std::string>{kList, kList, kList}));
}

// The event log followed on a stream (the default): one GET /events?since= held open after the first
// list, looked at every collect without a request.
class ListFollow : public ListPolicy {
protected:
    ListFollow() {
        daemon_.hold([](const std::string& line) {
            return line.starts_with("GET /v1.41/events?since=") && line.find("until=") == std::string::npos;
        });
        ContainerSourceOptions options;
        options.list_refresh = 5s;
        options.list_refresh_max = 60s;
        source_ = std::make_unique<ContainerSource>(tree_.paths(daemon_.endpoint()), options, clock_);
    }

    // The daemon's fake thread reads a request some time after the client sent it.
    bool wait_for_held(std::size_t n) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (daemon_.held() != n) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }

    // Two collects (as warm_up) and the stream they open: its request asks for the events since a second
    // before the first list. Leaves the request log empty; returns when the last list was asked for.
    std::chrono::system_clock::time_point follow() {
        EXPECT_TRUE(PidWatch::open(::getpid())) << "pidfd_open(2) refused here: the reuse policy needs pidfds";
        const auto first_list = clock_.system_now();
        collect();
        EXPECT_TRUE(source_->following());
        EXPECT_TRUE(wait_for_held(1)) << "no stream request reached the daemon";
        const auto stream_line =
            "GET " + DockerRequest::event_stream(unix_ns(first_list) - 1'000'000'000).target("1.41") + " HTTP/1.1";
        EXPECT_EQ(daemon_.requests(), (std::vector<std::string>{"GET /version HTTP/1.1", kList, kInspect, stream_line}));
        clock_.advance(1s);
        const auto listed = clock_.system_now();
        collect();
        EXPECT_EQ(daemon_.requests().back(), kList);
        daemon_.clear_requests();
        return listed;
    }
};

TEST_F(ListFollow, ContainerEventsOnTheStreamListAtTheNextCollectAndOthersCostNoRequest) {
    const auto listed = follow();
    // Nothing, then events that change nothing listed or came before the list: no request at all, not
    // even the window after list_refresh.
    for (int i = 0; i < 6; ++i) {
        clock_.advance(1s);
        if (i == 2) {
            daemon_.push(testing::http_chunk(event("exec_start: sh", listed + 2s)) +
                         testing::http_chunk(event("rename", listed - 2s)));
        }
        ASSERT_EQ(collect().containers.at(0).name, "web");
    }
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
    // A rename, in a chunk cut in two: the next collect (not list_refresh later) lists and shows it.
    {
        std::lock_guard lock(state_.mutex);
        state_.name = "web2";
    }
    const std::string chunk = testing::http_chunk(event("rename", listed + 7s));
    daemon_.push(chunk.substr(0, 20));
    clock_.advance(1s);
    EXPECT_EQ(collect().containers.at(0).name, "web");
    daemon_.push(chunk.substr(20));
    clock_.advance(1s);
    auto snapshot = collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    EXPECT_EQ(snapshot.containers.at(0).name, "web2");
    EXPECT_TRUE(source_->following());
}

TEST_F(ListFollow, ANewCgroupListsWhenTheStreamSaysSoNotBefore) {
    const auto listed = follow();
    clock_.advance(1s);
    collect();  // reads the stream's head: followed from here on
    fs::create_directory(tree_.docker_parent() / "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
    clock_.advance(1s);
    collect();  // the parent's stamp is not looked at while the log is followed
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
    daemon_.push(testing::http_chunk(event("start", listed + 3s)));
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
}

TEST_F(ListFollow, AStreamThatEndsListsThenWindowsForRefreshMaxThenFollowsAgain) {
    follow();
    daemon_.close_held();
    clock_.advance(1s);
    collect();
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    EXPECT_FALSE(source_->following());
    // Windows of the event log meanwhile (a list after a change lists at the next collect too).
    clock_.advance(1s);
    collect();
    daemon_.clear_requests();
    clock_.advance(5s);
    collect();
    ASSERT_EQ(daemon_.requests().size(), 1u);
    EXPECT_TRUE(daemon_.requests()[0].starts_with("GET /v1.41/events?since=")) << daemon_.requests()[0];
    EXPECT_NE(daemon_.requests()[0].find("until="), std::string::npos);
    EXPECT_FALSE(source_->following());
    // The routine list refresh_max later opens the stream again.
    clock_.advance(60s);
    collect();
    EXPECT_TRUE(source_->following());
    EXPECT_TRUE(wait_for_held(1)) << daemon_.held() << " " << daemon_.requests().size() << " " << (daemon_.requests().empty() ? "" : daemon_.requests().back());
}

TEST_F(ListFollow, AStreamLeftUnansweredGivesWayToWindows) {
    {
        std::lock_guard lock(state_.mutex);
        state_.stream_status = 0;  // as a proxy that holds streamed responses back
    }
    follow();  // asked at the first list, a collect before the last
    for (int i = 0; i < 3; ++i) {
        clock_.advance(1s);  // 2, 3, 4 s after it was asked for
        collect();
        EXPECT_TRUE(source_->following());
    }
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{});
    clock_.advance(1s);  // list_refresh after it was asked for: a window instead
    collect();
    ASSERT_EQ(daemon_.requests().size(), 1u);
    EXPECT_NE(daemon_.requests()[0].find("until="), std::string::npos);
    EXPECT_FALSE(source_->following());
}

TEST_F(ListFollow, AStreamTheDaemonRefusesIsNotAskedForAgain) {
    {
        std::lock_guard lock(state_.mutex);
        state_.stream_status = 403;
    }
    follow();  // asked after the first list; the answer is read when the event log is next looked at
    clock_.advance(1s);
    collect();  // reads the 403: lists
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    EXPECT_FALSE(source_->following());
    clock_.advance(60s);
    daemon_.clear_requests();
    collect();  // a routine list, and no stream asked for
    EXPECT_EQ(daemon_.requests(), std::vector<std::string>{kList});
    EXPECT_FALSE(source_->following());
    clock_.advance(5s);
    daemon_.clear_requests();
    collect();
    ASSERT_EQ(daemon_.requests().size(), 1u);
    EXPECT_NE(daemon_.requests()[0].find("until="), std::string::npos) << "windows from now on";
}

// With the parent's own CPU and memory.stat files present (a real cgroup has them; the fixture tree does
// not), the parent is read every collect, and an idle container under an unmoved parent is not read at all
// (CgroupHandle::Round::none), its network every kSteadyNetworkEvery reads, until the parent moves or a
// list after a change reads it whole.
class SteadyParent : public ListPolicy {
protected:
    SteadyParent() {
        write("cpu.stat", "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000\n");
        write("memory.stat", "anon 1048576\nfile 0\n");
    }
    void write(const std::string& name, const std::string& text) { std::ofstream(tree_.docker_parent() / name) << text; }
    void write_container(const std::string& name, const std::string& text) {
        std::ofstream(tree_.docker_parent() / kId / name) << text;
    }
    void write_net_dev(std::uint64_t rx_bytes) {
        std::ofstream(tree_.paths("").proc / std::to_string(::getpid()) / "net" / "dev")
            << "Inter-|   Receive                                                |  Transmit\n"
               " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
               "colls carrier compressed\n"
               "  eth0: "
            << rx_bytes << "      10    0    0    0     0          0         0     2000      20    0    0    0     0"
            << "       0          0\n";
    }
    std::uint64_t memory_after(std::chrono::seconds step) {
        clock_.advance(step);
        return collect().containers.at(0).memory_usage_bytes.value_or(0);
    }
};

TEST_F(SteadyParent, AnIdleContainerIsNotReadUntilTheParentMoves) {
    write_net_dev(1000);
    warm_up();  // reads 0 and 1 of the container, both whole: it is idle from here
    EXPECT_EQ(memory_after(1s), 4096U);  // read 2: the parent was read three times unmoved
    write_container("memory.current", "8192\n");
    write_container("cpu.stat", "usage_usec 2000\nuser_usec 1200\nsystem_usec 800\n");
    write_net_dev(3000);
    for (unsigned read = 3; read < TrackedContainer::kSteadyNetworkEvery; ++read) {
        clock_.advance(1s);
        auto row = collect().containers.at(0);
        EXPECT_EQ(row.memory_usage_bytes, 4096U) << read;  // not read: repeated
        EXPECT_EQ(row.cpu_time_ns_total, 1'000'000U) << read;
        ASSERT_TRUE(row.network_rx) << read;
        EXPECT_EQ(row.network_rx->bytes_total, 1000U) << read;  // the network counters repeat with it
    }
    clock_.advance(1s);
    auto network = collect().containers.at(0);  // read 10: the network alone
    EXPECT_EQ(network.network_rx->bytes_total, 3000U);
    EXPECT_EQ(network.memory_usage_bytes, 4096U);
    write("cpu.stat", "usage_usec 6000\nuser_usec 3600\nsystem_usec 2400\n");  // something ran
    clock_.advance(1s);
    auto woken = collect().containers.at(0);  // read 11: its CPU file, which moved: everything
    EXPECT_EQ(woken.cpu_time_ns_total, 2'000'000U);
    EXPECT_EQ(woken.memory_usage_bytes, 8192U);
    for (const auto& line : daemon_.requests()) EXPECT_NE(line, kList);  // all of it without a list
}

// The parent's memory moved, its CPU time did not: an idle container has its memory.stat read at its next
// kSecondaryEvery-th read (5 here), and its other memory files only when that moved; never its CPU file.
TEST_F(SteadyParent, ParentMemoryMovingReadsTheIdleContainersMemoryOnly) {
    warm_up();
    EXPECT_EQ(memory_after(1s), 4096U);  // read 2
    write_container("memory.current", "8192\n");
    write_container("cpu.stat", "usage_usec 2000\nuser_usec 1200\nsystem_usec 800\n");  // not read below
    EXPECT_EQ(memory_after(1s), 4096U);  // read 3: repeated, nothing says it changed
    write("memory.stat", "anon 1048576\nfile 4096\n");  // the kernel reclaimed or wrote back some page
    EXPECT_EQ(memory_after(1s), 4096U);  // read 4: noted, read at the next fifth read
    // Read 5 (the parent is steady again by now): its memory.stat reads as before, so the kernel worked
    // on another container; the memory.current written above (no kernel would) is not read.
    EXPECT_EQ(memory_after(1s), 4096U);
    write("memory.stat", "anon 1048576\nfile 8192\n");  // moved again: this time in this container
    write_container("memory.stat", "anon 8192\nfile 0\ninactive_anon 0\nactive_anon 8192\ninactive_file 0\n");
    write_container("io.stat", "8:0 rbytes=0 wbytes=8192 rios=0 wios=2 dbytes=0 dios=0\n");  // written back
    EXPECT_EQ(memory_after(1s), 4096U);  // read 6: noted
    for (int read = 7; read < 10; ++read) EXPECT_EQ(memory_after(1s), 4096U) << read;
    clock_.advance(1s);
    auto row = collect().containers.at(0);  // read 10: its memory.stat moved: its memory is read
    EXPECT_EQ(row.memory_usage_bytes, 8192U);
    ASSERT_TRUE(row.block_write);
    EXPECT_EQ(row.block_write->bytes_total, 8192U);  // v2 charges writeback to the container: io.stat is read
    EXPECT_EQ(row.cpu_time_ns_total, 1'000'000U);
    write_container("memory.current", "16384\n");
    EXPECT_EQ(memory_after(1s), 8192U);  // read 11: steady, repeated
}

TEST_F(SteadyParent, AListReadsEveryContainerWholeUnderAnUnmovedParent) {
    const auto listed = warm_up();
    EXPECT_EQ(memory_after(1s), 4096U);
    write_container("memory.current", "8192\n");
    EXPECT_EQ(memory_after(1s), 4096U);
    // `docker update` changes a limit without running anything: the event log says so, a list follows.
    set_events(event("update", listed + 2s));
    EXPECT_EQ(memory_after(3s), 8192U);
    EXPECT_EQ(daemon_.requests().back(), kList);
}

// A container that a later list brings is planned under its parent's tree like the first (the list
// plans the trees anew): once idle, it is not read while the parent stands still.
TEST_F(SteadyParent, AContainerListedLaterIsSparedUnderAnUnmovedParentToo) {
    const std::string id = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    warm_up();
    testing::Child init;
    ASSERT_GT(init.pid(), 0);
    fs::copy(tree_.docker_parent() / kId, tree_.docker_parent() / id, fs::copy_options::recursive);
    tree_.place(init.pid(), id);
    {
        std::lock_guard lock(state_.mutex);
        state_.second_id = id;
        state_.second_pid = init.pid();
    }
    const auto row_of = [&](const model::Snapshot& snapshot) {
        for (const auto& row : snapshot.containers)
            if (row.id == id) return row;
        ADD_FAILURE() << "no row for the second container";
        return model::ContainerStats{};
    };
    // The new cgroup lists; the next collect lists again (its init was not watched yet); then it is read
    // twice more, its CPU time unmoved: idle from there.
    for (int i = 0; i < 4; ++i) {
        clock_.advance(1s);
        EXPECT_EQ(row_of(collect()).memory_usage_bytes, 4096U) << i;
    }
    EXPECT_NE(std::find(daemon_.requests().begin(), daemon_.requests().end(), kList), daemon_.requests().end());
    daemon_.clear_requests();
    std::ofstream(tree_.docker_parent() / id / "memory.current") << "8192\n";
    std::ofstream(tree_.docker_parent() / id / "cpu.stat") << "usage_usec 2000\nuser_usec 1200\nsystem_usec 800\n";
    for (int i = 0; i < 3; ++i) {
        clock_.advance(1s);
        const auto row = row_of(collect());
        EXPECT_EQ(row.memory_usage_bytes, 4096U) << i;  // not read: its parent vouches for it
        EXPECT_EQ(row.cpu_time_ns_total, 1'000'000U) << i;
    }
    for (const auto& line : daemon_.requests()) EXPECT_NE(line, kList);  // no list since: planned, then kept
}

TEST_F(SteadyParent, AParentWithoutItsMemoryFileIsNeverSteady) {
    fs::remove(tree_.docker_parent() / "memory.stat");
    warm_up();
    write_container("memory.current", "8192\n");
    write_container("cpu.stat", "usage_usec 2000\nuser_usec 1200\nsystem_usec 800\n");
    EXPECT_EQ(memory_after(1s), 8192U);  // its CPU file was read, and had moved
}

}  // namespace
}  // namespace cmon::sources
