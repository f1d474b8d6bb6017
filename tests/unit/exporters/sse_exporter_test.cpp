#include "exporters/sse_exporter.hpp"

#include <gtest/gtest.h>

#include <string>

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

TEST(SseExporter, HeadJsonAndEndAreTheWholeFrameForOneLineJson) {
    const std::string json = R"({"a":"x y","b":[1,2.5]})";
    ASSERT_TRUE(is_one_sse_data_line(json));
    EXPECT_EQ(sse_snapshot_head(18446744073709551615u) + json + std::string(kSseFrameEnd),
              to_sse_snapshot_frame(18446744073709551615u, json));
    EXPECT_EQ(sse_snapshot_head(3), "id: 3\nevent: snapshot\ndata: ");
}

TEST(SseExporter, OnlyJsonWithoutLineBreaksIsOneDataLine) {
    EXPECT_TRUE(is_one_sse_data_line(""));
    EXPECT_TRUE(is_one_sse_data_line(R"({"escaped":"\n\r"})"));
    EXPECT_FALSE(is_one_sse_data_line("{}\n"));
    EXPECT_FALSE(is_one_sse_data_line("\r{}"));
    EXPECT_FALSE(is_one_sse_data_line(std::string(70000, ' ') + "\n"));
}

}  // namespace
}  // namespace cmon::exporters
