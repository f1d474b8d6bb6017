// MemoryTrimmer: trims after connections were accepted, never on a quiet round.
#include "app/memory_trimmer.hpp"

#include <gtest/gtest.h>

namespace cmon::app {
namespace {

TEST(MemoryTrimmer, TrimsOnlyAfterNewConnections) {
    std::uint64_t accepted = 5;  // connections before the trimmer existed do not count
    int trims = 0;
    MemoryTrimmer trimmer([&] { return accepted; }, std::chrono::seconds(1), [&] { ++trims; });
    EXPECT_FALSE(trimmer.step());
    EXPECT_EQ(trims, 0);
    accepted += 1000;  // a burst
    EXPECT_TRUE(trimmer.step());
    EXPECT_EQ(trims, 1);
    EXPECT_FALSE(trimmer.step());  // nothing new: no second trim for the same burst
    EXPECT_EQ(trims, 1);
    ++accepted;
    EXPECT_TRUE(trimmer.step());
    EXPECT_EQ(trims, 2);
}

}  // namespace
}  // namespace cmon::app
