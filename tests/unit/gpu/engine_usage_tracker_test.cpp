// EngineUsageTracker: busy % from ns and from cycles, capacity, clamping, counters going backwards,
// the legacy amdgpu percentage, and forgetting closed clients. Times are exact (passed in).
#include "sources/gpu/drm/engine_usage_tracker.hpp"

#include <gtest/gtest.h>

namespace cmon::sources {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::map<std::string, DrmEngineCounters> ns(const std::string& engine, std::uint64_t busy, unsigned capacity = 1) {
    DrmEngineCounters counters;
    counters.busy_ns = busy;
    counters.capacity = capacity;
    return {{engine, counters}};
}

std::map<std::string, DrmEngineCounters> cycles(std::uint64_t busy, std::uint64_t total, unsigned capacity = 1) {
    DrmEngineCounters counters;
    counters.cycles = busy;
    counters.total_cycles = total;
    counters.capacity = capacity;
    return {{"rcs", counters}};
}

const EngineUsageTracker::ClientKey kClient{"0000:03:00.0", 11};

TEST(EngineUsageTracker, NanosecondsOverWallTime) {
    EngineUsageTracker tracker;
    EXPECT_TRUE(tracker.update(kClient, ns("gfx", 1'000'000'000), 10 * kSecond).empty());  // first sight
    auto out = tracker.update(kClient, ns("gfx", 1'500'000'000), 12 * kSecond);
    EXPECT_DOUBLE_EQ(out.at("gfx"), 25.0);  // 0.5 s busy over 2 s
}

TEST(EngineUsageTracker, CapacityDividesAGroupOfEngines) {
    EngineUsageTracker tracker;
    tracker.update(kClient, ns("video", 0, 2), 0);
    EXPECT_DOUBLE_EQ(tracker.update(kClient, ns("video", kSecond, 2), kSecond).at("video"), 50.0);
}

TEST(EngineUsageTracker, CyclesOverTotalCycles) {
    EngineUsageTracker tracker;
    tracker.update(kClient, cycles(100, 1000), 0);
    EXPECT_DOUBLE_EQ(tracker.update(kClient, cycles(600, 2000), kSecond).at("rcs"), 50.0);
    EXPECT_DOUBLE_EQ(tracker.update(kClient, cycles(1600, 4000, 4), 2 * kSecond).at("rcs"), 12.5);
    // Total cycles that did not move: no value rather than a division by zero.
    EXPECT_TRUE(tracker.update(kClient, cycles(1700, 4000), 3 * kSecond).empty());
}

TEST(EngineUsageTracker, ClampedAtOneHundred) {
    EngineUsageTracker tracker;
    tracker.update(kClient, ns("gfx", 0), 0);
    EXPECT_DOUBLE_EQ(tracker.update(kClient, ns("gfx", 3 * kSecond), kSecond).at("gfx"), 100.0);
}

TEST(EngineUsageTracker, CounterGoingBackwardsRestartsTheDelta) {
    EngineUsageTracker tracker;
    tracker.update(kClient, ns("gfx", 5 * kSecond), 0);
    EXPECT_TRUE(tracker.update(kClient, ns("gfx", 1 * kSecond), kSecond).empty());  // no bogus value
    // The lower reading is the new baseline: 0.25 s over the next second.
    EXPECT_DOUBLE_EQ(tracker.update(kClient, ns("gfx", 1'250'000'000), 2 * kSecond).at("gfx"), 25.0);
    tracker.update(kClient, cycles(500, 1000), 3 * kSecond);
    EXPECT_TRUE(tracker.update(kClient, cycles(100, 2000), 4 * kSecond).empty());
    EXPECT_DOUBLE_EQ(tracker.update(kClient, cycles(600, 3000), 5 * kSecond).at("rcs"), 50.0);
}

TEST(EngineUsageTracker, LegacyPercentIsTakenAsPrinted) {
    EngineUsageTracker tracker;
    DrmEngineCounters legacy;
    legacy.legacy_percent = 37.5;
    EXPECT_DOUBLE_EQ(tracker.update(kClient, {{"gfx", legacy}}, 0).at("gfx"), 37.5);
    legacy.legacy_percent = 250.0;
    EXPECT_DOUBLE_EQ(tracker.update(kClient, {{"gfx", legacy}}, kSecond).at("gfx"), 100.0);
}

TEST(EngineUsageTracker, ClientsAreSeparateAndForgottenWhenGone) {
    EngineUsageTracker tracker;
    const EngineUsageTracker::ClientKey other{"0000:04:00.0", 11};  // same id, another device
    tracker.update(kClient, ns("gfx", 0), 0);
    tracker.update(other, ns("gfx", 10 * kSecond), 0);
    tracker.end_tick();
    EXPECT_DOUBLE_EQ(tracker.update(kClient, ns("gfx", kSecond / 10), kSecond).at("gfx"), 10.0);
    tracker.end_tick();  // `other` was not updated in this tick
    EXPECT_EQ(tracker.tracked(), 1U);
    EXPECT_TRUE(tracker.update(other, ns("gfx", 11 * kSecond), 2 * kSecond).empty());  // a fresh start
}

}  // namespace
}  // namespace cmon::sources
