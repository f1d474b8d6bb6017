#include "exporters/sse_exporter.hpp"

#include <gtest/gtest.h>

namespace cmon::exporters {
namespace {

TEST(SseExporter, SnapshotFrameCarriesIdEventAndOneDataLine) {
    EXPECT_EQ(to_sse_snapshot_frame(42, R"({"a":1})"), "id: 42\nevent: snapshot\ndata: {\"a\":1}\n\n");
    EXPECT_EQ(to_sse_snapshot_frame(0, ""), "id: 0\nevent: snapshot\ndata: \n\n");
}

TEST(SseExporter, LineBreaksInTheDataStartNewDataLines) {
    // A raw break would end the event early; the client rejoins data lines with "\n".
    EXPECT_EQ(to_sse_snapshot_frame(1, "a\nb"), "id: 1\nevent: snapshot\ndata: a\ndata: b\n\n");
    EXPECT_EQ(to_sse_snapshot_frame(1, "a\r\nb\rc"), "id: 1\nevent: snapshot\ndata: a\ndata: b\ndata: c\n\n");
    EXPECT_EQ(to_sse_snapshot_frame(1, "a\n"), "id: 1\nevent: snapshot\ndata: a\ndata: \n\n");
}

TEST(SseExporter, FixedFramesEndWithABlankLine) {
    for (const std::string_view frame : {kSseRetry, kSsePaused, kSseKeepAlive}) {
        ASSERT_GE(frame.size(), 2u);
        EXPECT_EQ(frame.substr(frame.size() - 2), "\n\n") << frame;
    }
}

}  // namespace
}  // namespace cmon::exporters
