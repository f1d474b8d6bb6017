#include "sampling/gpu_accountant.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

const std::string kA = std::string(64, 'a');
const std::string kB = std::string(64, 'b');

// Builds successive snapshots one `step` apart on the fake clock.
class Scenario {
public:
    explicit Scenario(GpuAccountantOptions options = {}) : accountant_(options, clock_) {
        gpu_.index = 0;
        gpu_.uuid = "GPU-0";
    }

    model::Snapshot& next(std::chrono::milliseconds step) {
        clock_.advance(step);
        draft_ = model::Snapshot{};
        draft_.sequence = ++sequence_;
        draft_.time = clock_.system_now();
        draft_.monotonic = clock_.steady_now();
        draft_.gpus = {gpu_};
        model::SourceHealth docker;
        docker.name = "docker";
        draft_.sources = {docker};
        return draft_;
    }
    void container(const std::string& id, const std::string& name, const std::string& owner) {
        model::ContainerStats c;
        c.id = id;
        c.short_id = id.substr(0, 12);
        c.name = name;
        c.owner = owner;
        draft_.containers.push_back(c);
    }
    void process(const std::string& id, unsigned pid, std::optional<unsigned> sm, bool idle = false,
                 unsigned gpu = 0, std::uint64_t memory = 1 << 30) {
        model::GpuProcess p;
        p.pid = pid;
        p.gpu_index = gpu;
        p.container_id = id;
        p.memory_used_bytes = memory;
        p.sm_percent = sm;
        if (idle) p.idle_since = clock_.system_now() - 1h;
        draft_.gpu_processes.push_back(p);
    }
    void host_process(unsigned pid) {
        model::GpuProcess p;
        p.pid = pid;
        p.memory_used_bytes = 1 << 20;
        p.sm_percent = 50;
        draft_.gpu_processes.push_back(p);
    }
    void fold() { accountant_.add(draft_); }

    const model::ContainerAccount* account(const std::string& id, std::optional<model::TimePoint> since = {}) {
        report_ = accountant_.report(since);
        for (const auto& c : report_.containers)
            if (c.id == id) return &c;
        return nullptr;
    }
    testing::FakeClock clock_;
    GpuAccountant accountant_;
    model::AccountingReport report_;

private:
    model::GpuDevice gpu_;
    model::Snapshot draft_;
    std::uint64_t sequence_ = 0;
};

TEST(GpuAccountant, HeldAndBusyOverWholeIntervals) {
    Scenario s;
    for (int i = 0; i < 4; ++i) {  // three 1 s intervals held at both ends
        s.next(1s);
        s.container(kA, "ana-train", "ana");
        s.process(kA, 10, 50);
        s.fold();
    }
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->name, "ana-train");
    EXPECT_EQ(a->owner, "ana");
    ASSERT_EQ(a->gpus.size(), 1u);
    EXPECT_EQ(a->gpus[0].uuid, "GPU-0");
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 3.0);
    EXPECT_DOUBLE_EQ(a->since_start().busy_seconds, 1.5);
    EXPECT_DOUBLE_EQ(a->since_start().idle_held_seconds, 0.0);
}

TEST(GpuAccountant, ProcessJoiningAndLeavingCountsHalfOfItsEdgeIntervals) {
    Scenario s;
    s.next(2s);
    s.container(kA, "a", "ana");
    s.fold();  // nothing held yet
    s.next(2s);
    s.container(kA, "a", "ana");
    s.process(kA, 10, 100);  // joined somewhere in this interval
    s.fold();
    s.next(2s);
    s.container(kA, "a", "ana");
    s.process(kA, 10, 100);
    s.fold();
    s.next(2s);
    s.container(kA, "a", "ana");  // left somewhere in this interval: it keeps its totals
    s.fold();
    s.next(2s);
    s.container(kA, "a", "ana");
    s.fold();
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 1.0 + 2.0 + 1.0);
    // Busy is capped by held in the joining interval; unknown once the process left.
    EXPECT_DOUBLE_EQ(a->since_start().busy_seconds, 1.0 + 2.0);
    EXPECT_FALSE(a->removed);
}

TEST(GpuAccountant, TwoProcessesOfOneContainerShareItsHeldTimeAndAddTheirSm) {
    Scenario s;
    for (int i = 0; i < 2; ++i) {
        s.next(1s);
        s.container(kA, "a", "ana");
        s.process(kA, 10, 70);
        s.process(kA, 11, 60);  // summed SM is capped at 100 %
        s.fold();
    }
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 1.0);
    EXPECT_DOUBLE_EQ(a->since_start().busy_seconds, 1.0);
}

TEST(GpuAccountant, RemovedContainerKeepsTotalsNameAndOwnerForTheRetention) {
    GpuAccountantOptions options;
    options.retention = 60s;
    Scenario s(options);
    for (int i = 0; i < 3; ++i) {
        s.next(1s);
        s.container(kA, "bo-nb", "bo");
        s.process(kA, 10, 20);
        s.fold();
    }
    s.next(1s);  // container and process gone
    s.fold();
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->removed);
    EXPECT_EQ(a->name, "bo-nb");
    EXPECT_EQ(a->owner, "bo");
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 2.5);
    for (int i = 0; i < 59; ++i) {
        s.next(1s);
        s.fold();
    }
    ASSERT_NE(s.account(kA), nullptr) << "still within the retention";
    s.next(2s);
    s.fold();
    EXPECT_EQ(s.account(kA), nullptr) << "dropped after the retention";
}

TEST(GpuAccountant, AFailedListingIsNotARemoval) {
    Scenario s;
    s.next(1s);
    s.container(kA, "a", "ana");
    s.process(kA, 10, 20);
    s.fold();
    auto& failed = s.next(1s);
    failed.sources[0].ok = false;
    s.process(kA, 10, 20);
    s.fold();
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_FALSE(a->removed);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 1.0);
}

TEST(GpuAccountant, IdleRuleSwitchingOnAndOff) {
    Scenario s;
    const bool idle[] = {false, false, true, true, true, false};
    for (bool now_idle : idle) {
        s.next(1s);
        s.container(kA, "a", "ana");
        s.process(kA, 10, now_idle ? 0 : 30, now_idle);
        s.fold();
    }
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 5.0);
    // idle at the ends of intervals 2..5: half of (1->2), (2->3), (3->4) whole, half of (4->5)
    EXPECT_DOUBLE_EQ(a->since_start().idle_held_seconds, 0.5 + 1.0 + 1.0 + 0.5);
    EXPECT_DOUBLE_EQ(a->since_start().busy_seconds, 0.3 + 0.0 + 0.0 + 0.0 + 0.3);
}

TEST(GpuAccountant, OneBusyProcessMakesTheContainerNotIdle) {
    Scenario s;
    for (int i = 0; i < 3; ++i) {
        s.next(1s);
        s.container(kA, "a", "ana");
        s.process(kA, 10, 0, true);
        s.process(kA, 11, 40, false);
        s.fold();
    }
    EXPECT_DOUBLE_EQ(s.account(kA)->since_start().idle_held_seconds, 0.0);
}

TEST(GpuAccountant, PerGpuAndHostProcessesIgnored) {
    Scenario s;
    for (int i = 0; i < 3; ++i) {
        s.next(1s);
        s.container(kA, "a", "ana");
        s.container(kB, "b", "bo");
        s.process(kA, 10, 10, false, 0);
        s.process(kA, 11, 10, false, 1);
        s.process(kB, 12, 10, false, 1, 0);  // a context without memory does not hold
        s.host_process(1);
        s.fold();
    }
    const auto* a = s.account(kA);
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->gpus.size(), 2u);
    EXPECT_EQ(a->gpus[1].gpu_index, 1u);
    EXPECT_EQ(a->gpus[1].uuid, "") << "GPU 1 is not in the snapshot's device list";
    EXPECT_DOUBLE_EQ(a->gpus[1].since_start.held_seconds, 2.0);
    EXPECT_EQ(s.account(kB), nullptr) << "never held anything";
    EXPECT_EQ(s.report_.containers.size(), 1u) << "host processes belong to no container";
}

TEST(GpuAccountant, APauseInCollectionIsNotCounted) {
    GpuAccountantOptions options;
    options.max_gap = 5s;
    Scenario s(options);
    s.next(1s);
    s.container(kA, "a", "ana");
    s.process(kA, 10, 100);
    s.fold();
    s.next(1h);  // collection paused
    s.container(kA, "a", "ana");
    s.process(kA, 10, 100);
    s.fold();
    s.next(1s);
    s.container(kA, "a", "ana");
    s.process(kA, 10, 100);
    s.fold();
    EXPECT_DOUBLE_EQ(s.account(kA)->since_start().held_seconds, 1.0);
}

TEST(GpuAccountant, WindowSinceCountsOnlyBucketsFromItsStart) {
    GpuAccountantOptions options;
    options.bucket = 10s;
    Scenario s(options);
    const model::TimePoint started = s.accountant_.started();
    for (int i = 0; i < 40; ++i) {  // 39 held seconds
        s.next(1s);
        s.container(kA, "a", "ana");
        s.process(kA, 10, 100);
        s.fold();
    }
    // The fake clock starts on a multiple of 10 s plus 2 s; ask from 25 s after the start.
    const auto* a = s.account(kA, started + 25s);
    ASSERT_NE(a, nullptr);
    const model::TimePoint since = s.report_.since;
    EXPECT_LE(since, started + 25s);
    EXPECT_GT(since, started + 15s);
    const double expected = std::chrono::duration<double>(s.report_.now - since).count();
    EXPECT_DOUBLE_EQ(a->window().held_seconds, expected);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 39.0);
    // Before the start: the whole run.
    a = s.account(kA, started - 1h);
    EXPECT_EQ(s.report_.since, started);
    EXPECT_DOUBLE_EQ(a->window().held_seconds, 39.0);
    // After now: clamped to now, so the window is what the newest bucket holds, and says so.
    a = s.account(kA, started + 1h);
    EXPECT_LE(s.report_.since, s.report_.now);
    EXPECT_GT(s.report_.since, s.report_.now - 10s);
    EXPECT_DOUBLE_EQ(a->window().held_seconds, std::chrono::duration<double>(s.report_.now - s.report_.since).count());
}

TEST(GpuAccountant, WindowIsClampedToTheRetention) {
    GpuAccountantOptions options;
    options.bucket = 1s;
    options.retention = 10s;
    Scenario s(options);
    for (int i = 0; i < 31; ++i) {
        s.next(1s);
        s.container(kA, "a", "ana");
        s.process(kA, 10, 0);
        s.fold();
    }
    const auto* a = s.account(kA, s.accountant_.started());
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(s.report_.since, s.report_.now - 10s);
    EXPECT_DOUBLE_EQ(a->window().held_seconds, 10.0);
    EXPECT_DOUBLE_EQ(a->since_start().held_seconds, 30.0);
}

}  // namespace
}  // namespace cmon::sampling
