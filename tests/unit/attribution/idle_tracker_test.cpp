// IdleTracker with explicit times.
#include "attribution/idle_tracker.hpp"

#include <gtest/gtest.h>

namespace cmon::attribution {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
const TimePoint kT0 = TimePoint{} + std::chrono::hours(470000);

model::GpuProcess holder(unsigned pid, std::optional<std::uint64_t> memory, std::optional<unsigned> sm,
                         unsigned gpu = 0, bool fresh = true) {
    model::GpuProcess p;
    p.pid = pid;
    p.gpu_index = gpu;
    p.memory_used_bytes = memory;
    p.sm_percent = sm;
    p.sm_percent_fresh = fresh;
    return p;
}

TEST(IdleTracker, HeldSmValuesNeverMakeAHolderIdle) {
    IdleTracker tracker;
    // The driver had nothing newer for an hour (held, not fresh): no proof of idleness.
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 0, 0, false)};
    for (auto t = kT0; t <= kT0 + 1h; t += 1min) tracker.update(processes, t);
    EXPECT_FALSE(processes[0].idle_since.has_value());
}

TEST(IdleTracker, IdleNeedsSeveralFreshSamplesAtZero) {
    IdleTrackerOptions options;
    options.idle_after = 0s;
    IdleTracker tracker(options);
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 0)};
    tracker.update(processes, kT0);
    EXPECT_FALSE(processes[0].idle_since.has_value()) << "one fresh sample";
    processes[0].sm_percent_fresh = false;
    tracker.update(processes, kT0 + 1s);
    EXPECT_FALSE(processes[0].idle_since.has_value()) << "a held value does not count";
    processes[0].sm_percent_fresh = true;
    tracker.update(processes, kT0 + 2s);
    EXPECT_FALSE(processes[0].idle_since.has_value()) << "two fresh samples";
    tracker.update(processes, kT0 + 3s);
    EXPECT_EQ(processes[0].idle_since, kT0) << "the third fresh sample at ~0";
    processes[0].sm_percent.reset();  // sampling broke
    tracker.update(processes, kT0 + 4s);
    EXPECT_FALSE(processes[0].idle_since.has_value());
}

TEST(IdleTracker, MarksAHolderIdleAfterTheDelayWithTheFirstIdleTime) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 0)};
    tracker.update(processes, kT0);
    EXPECT_FALSE(processes[0].idle_since.has_value());
    tracker.update(processes, kT0 + 9min + 59s);
    EXPECT_FALSE(processes[0].idle_since.has_value());
    tracker.update(processes, kT0 + 10min);
    EXPECT_EQ(processes[0].idle_since, kT0);
    tracker.update(processes, kT0 + 1h);
    EXPECT_EQ(processes[0].idle_since, kT0);
}

TEST(IdleTracker, OnePercentStillCountsAsIdleTwoDoesNot) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 1), holder(2, 2 * kGiB, 2)};
    tracker.update(processes, kT0);
    tracker.update(processes, kT0 + 5min);
    tracker.update(processes, kT0 + 11min);
    EXPECT_EQ(processes[0].idle_since, kT0);
    EXPECT_FALSE(processes[1].idle_since.has_value());
}

TEST(IdleTracker, ActivityResetsTheClock) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 0)};
    tracker.update(processes, kT0);
    processes[0].sm_percent = 80;
    tracker.update(processes, kT0 + 5min);
    processes[0].sm_percent = 0;
    tracker.update(processes, kT0 + 6min);
    tracker.update(processes, kT0 + 15min);
    EXPECT_FALSE(processes[0].idle_since.has_value()) << "idle again only since 6 min";
    tracker.update(processes, kT0 + 16min);
    EXPECT_EQ(processes[0].idle_since, kT0 + 6min);
}

TEST(IdleTracker, SmallHoldersAndUnknownsAreNeverIdle) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(1, kGiB, 0), holder(2, std::nullopt, 0),
                                             holder(3, 4 * kGiB, std::nullopt)};
    tracker.update(processes, kT0);
    tracker.update(processes, kT0 + 1h);
    for (const auto& p : processes) EXPECT_FALSE(p.idle_since.has_value()) << p.pid;
}

TEST(IdleTracker, SamePidOnTwoGpusIsTrackedSeparately) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(7, 2 * kGiB, 0, 0), holder(7, 2 * kGiB, 50, 1)};
    tracker.update(processes, kT0);
    tracker.update(processes, kT0 + 5min);
    tracker.update(processes, kT0 + 10min);
    EXPECT_EQ(processes[0].idle_since, kT0);
    EXPECT_FALSE(processes[1].idle_since.has_value());
}

TEST(IdleTracker, ForgetsAProcessThatLeftAndStartsOverIfItReturns) {
    IdleTracker tracker;
    std::vector<model::GpuProcess> processes{holder(1, 2 * kGiB, 0)};
    tracker.update(processes, kT0);
    std::vector<model::GpuProcess> none;
    tracker.update(none, kT0 + 5min);
    tracker.update(processes, kT0 + 10min);
    EXPECT_FALSE(processes[0].idle_since.has_value());
    tracker.update(processes, kT0 + 15min);
    tracker.update(processes, kT0 + 20min);
    EXPECT_EQ(processes[0].idle_since, kT0 + 10min);
}

TEST(IdleTracker, OptionsAreHonoured) {
    IdleTracker tracker(IdleTrackerOptions{100, 30s, 5});
    std::vector<model::GpuProcess> processes{holder(1, 101, 5)};
    tracker.update(processes, kT0);
    tracker.update(processes, kT0 + 15s);
    tracker.update(processes, kT0 + 30s);
    EXPECT_EQ(processes[0].idle_since, kT0);
}

}  // namespace
}  // namespace cmon::attribution
