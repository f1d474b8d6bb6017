// util/clock: the real clock reads the standard clocks (the sampler's timing and the snapshot times come
// through it), and a test clock stands in for it through the same interface.
#include "util/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "fakes/fake_clock.hpp"

namespace cmon::util {
namespace {

TEST(RealClock, ReadsTheSteadyAndSystemClocks) {
    const RealClock clock;
    const Clock& through_interface = clock;
    // Each reading lies between two readings of the standard clock taken around it.
    const auto steady_before = std::chrono::steady_clock::now();
    const auto steady = through_interface.steady_now();
    const auto steady_after = std::chrono::steady_clock::now();
    EXPECT_LE(steady_before, steady);
    EXPECT_LE(steady, steady_after);
    const auto system_before = std::chrono::system_clock::now();
    const auto system = through_interface.system_now();
    const auto system_after = std::chrono::system_clock::now();
    EXPECT_LE(system_before, system);
    EXPECT_LE(system, system_after);
}

TEST(RealClock, SteadyTimeNeverGoesBack) {
    const RealClock clock;
    auto last = clock.steady_now();
    for (int i = 0; i < 10000; ++i) {
        const auto now = clock.steady_now();
        ASSERT_GE(now, last);
        last = now;
    }
}

TEST(FakeClock, MovesOnlyWhenAdvancedAndMovesBothClocks) {
    testing::FakeClock fake;
    const Clock& clock = fake;
    const auto steady = clock.steady_now();
    const auto system = clock.system_now();
    EXPECT_EQ(clock.steady_now(), steady);
    fake.advance(std::chrono::milliseconds(1500));
    EXPECT_EQ(clock.steady_now() - steady, std::chrono::milliseconds(1500));
    EXPECT_EQ(clock.system_now() - system, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace cmon::util
