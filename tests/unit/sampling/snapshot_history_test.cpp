#include "sampling/snapshot_history.hpp"

#include <gtest/gtest.h>

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

model::SnapshotPtr at(std::chrono::milliseconds t, std::uint64_t sequence) {
    auto s = std::make_shared<model::Snapshot>();
    s->monotonic = std::chrono::steady_clock::time_point(t);
    s->sequence = sequence;
    return s;
}

TEST(SnapshotHistory, ThinsToTheSpacing) {
    SnapshotHistory history(900s, 180);  // one point per 5 s
    for (std::uint64_t i = 0; i < 60; ++i) history.add(at(std::chrono::milliseconds(i * 1000), i));
    auto points = history.within(900s);
    ASSERT_EQ(points.size(), 12u);
    EXPECT_EQ(points[0]->sequence, 0u);
    EXPECT_EQ(points[1]->sequence, 5u);
}

TEST(SnapshotHistory, DropsWhatIsOlderThanTheWindow) {
    SnapshotHistory history(10s, 100);
    for (std::uint64_t i = 0; i < 30; ++i) history.add(at(std::chrono::milliseconds(i * 1000), i));
    auto points = history.within(10s);
    EXPECT_EQ(points.front()->sequence, 19u);
    EXPECT_EQ(points.back()->sequence, 29u);
    EXPECT_LE(history.size(), 11u);
}

TEST(SnapshotHistory, WithinAShorterWindow) {
    SnapshotHistory history(60s, 60);
    for (std::uint64_t i = 0; i < 60; ++i) history.add(at(std::chrono::milliseconds(i * 1000), i));
    auto points = history.within(5s);
    EXPECT_EQ(points.size(), 6u);
    EXPECT_EQ(points.back()->sequence, 59u);
}

TEST(SnapshotHistory, EmptyAndNull) {
    SnapshotHistory history(60s, 60);
    history.add(nullptr);
    EXPECT_TRUE(history.within(60s).empty());
}

}  // namespace
}  // namespace cmon::sampling
