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
                         unsigned gpu = 0) {
    model::GpuProcess p;
    p.pid = pid;
    p.gpu_index = gpu;
    p.memory_used_bytes = memory;
    p.sm_percent = sm;
    return p;
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
    tracker.update(processes, kT0 + 20min);
    EXPECT_EQ(processes[0].idle_since, kT0 + 10min);
}

TEST(IdleTracker, OptionsAreHonoured) {
    IdleTracker tracker(IdleTrackerOptions{100, 30s, 5});
    std::vector<model::GpuProcess> processes{holder(1, 101, 5)};
    tracker.update(processes, kT0);
    tracker.update(processes, kT0 + 30s);
    EXPECT_EQ(processes[0].idle_since, kT0);
}

}  // namespace
}  // namespace cmon::attribution
