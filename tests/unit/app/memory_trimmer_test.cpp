// MemoryTrimmer: trims once a burst of connections is over, trickles rarely, never on a quiet round.
#include "app/memory_trimmer.hpp"

#include <gtest/gtest.h>

namespace cmon::app {
namespace {

MemoryTrimmerOptions options() {
    MemoryTrimmerOptions o;
    o.burst = 64;
    o.trickle_rounds = 10;
    return o;
}

TEST(MemoryTrimmer, TrimsOnceABurstIsOver) {
    std::uint64_t accepted = 5;  // connections before the trimmer existed do not count
    int trims = 0;
    MemoryTrimmer trimmer([&] { return accepted; }, options(), [&] { ++trims; });
    EXPECT_FALSE(trimmer.step());
    accepted += 1000;  // a burst arrives...
    EXPECT_FALSE(trimmer.step());  // ...still arriving: its buffers are in use
    accepted += 500;
    EXPECT_FALSE(trimmer.step());
    EXPECT_TRUE(trimmer.step());  // a round without new connections: the burst is over
    EXPECT_EQ(trims, 1);
    EXPECT_FALSE(trimmer.step());  // nothing new: no second trim for the same burst
    EXPECT_EQ(trims, 1);
}

TEST(MemoryTrimmer, PollingOncePerRoundDoesNotTrimEveryRound) {
    // A script that connects for each GET /query every second: the bodies it is served would be faulted
    // in again after every trim.
    std::uint64_t accepted = 0;
    int trims = 0;
    MemoryTrimmer trimmer([&] { return accepted; }, options(), [&] { ++trims; });
    for (int round = 0; round < 100; ++round) {
        ++accepted;
        trimmer.step();
    }
    EXPECT_EQ(trims, 10);  // once per trickle_rounds, not 100
}

TEST(MemoryTrimmer, ATrickleIsTrimmedEventually) {
    std::uint64_t accepted = 0;
    int trims = 0;
    MemoryTrimmer trimmer([&] { return accepted; }, options(), [&] { ++trims; });
    accepted += 3;  // fewer than a burst
    for (int round = 0; round < 9; ++round) EXPECT_FALSE(trimmer.step());
    EXPECT_TRUE(trimmer.step());  // the tenth round since the last trim
    for (int round = 0; round < 30; ++round) EXPECT_FALSE(trimmer.step());  // quiet: never
    EXPECT_EQ(trims, 1);
}

}  // namespace
}  // namespace cmon::app
