// EventStreamDecoder: dockerd's GET /events stream (HTTP/1.1, chunked, one JSON object per line) fed in
// pieces of every size must give the same events as the whole; what is not such a stream fails it.
#include "sources/docker/event_stream_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cmon::sources {
namespace {

const std::string kHead = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
                          "Date: Sun, 06 Dec 2026 16:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string event(const std::string& action, long long time_ns) {
    return R"({"status":")" + action + R"(","id":"abc","Type":"container","Action":")" + action +
           R"(","Actor":{"ID":"abc","Attributes":{"name":"web"}},"scope":"local","time":1,"timeNano":)" +
           std::to_string(time_ns) + "}\n";
}

std::string chunk(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zX\r\n", data.size());
    return size + data + "\r\n";
}

std::vector<std::string> actions(const std::vector<DockerEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.action + "@" + std::to_string(e.time_ns));
    return out;
}

TEST(EventStreamDecoder, GivesTheSameEventsHoweverTheBytesAreCut) {
    // Two events in one chunk, one event over two chunks, a chunk extension.
    const std::string first = event("rename", 11), second = event("pause", 12), third = event("unpause", 13);
    const std::string bytes = kHead + chunk(first + second) + chunk(third.substr(0, 30)) + "7;ext=1\r\n" +
                              third.substr(30, 7) + "\r\n" + chunk(third.substr(37));
    const std::vector<std::string> want{"rename@11", "pause@12", "unpause@13"};
    for (std::size_t piece = 1; piece <= bytes.size(); piece = piece * 2 + 1) {
        EventStreamDecoder decoder;
        std::vector<DockerEvent> got;
        for (std::size_t at = 0; at < bytes.size(); at += piece) {
            for (auto& e : decoder.feed(std::string_view(bytes).substr(at, piece))) got.push_back(e);
        }
        EXPECT_EQ(actions(got), want) << "pieces of " << piece;
        EXPECT_TRUE(decoder.streaming());
        EXPECT_FALSE(decoder.failed());
        EXPECT_EQ(decoder.status(), 200u);
    }
}

TEST(EventStreamDecoder, NothingBeforeALineIsComplete) {
    EventStreamDecoder decoder;
    const std::string e = event("rename", 5);
    EXPECT_TRUE(decoder.feed(kHead.substr(0, 10)).empty());
    EXPECT_EQ(decoder.status(), 0u);
    EXPECT_TRUE(decoder.feed(kHead.substr(10) + chunk(e.substr(0, e.size() - 1))).empty());
    EXPECT_EQ(actions(decoder.feed(chunk("\n"))), std::vector<std::string>{"rename@5"});
}

TEST(EventStreamDecoder, TheTerminalChunkEndsTheStream) {
    EventStreamDecoder decoder;
    EXPECT_EQ(actions(decoder.feed(kHead + chunk(event("die", 7)) + "0\r\n\r\n")), std::vector<std::string>{"die@7"});
    EXPECT_TRUE(decoder.ended());
    EXPECT_FALSE(decoder.failed());
    EXPECT_TRUE(decoder.feed(chunk(event("start", 8))).empty());
}

TEST(EventStreamDecoder, ABodyWithoutChunksRunsUntilTheConnectionCloses) {
    EventStreamDecoder decoder;
    const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n";
    EXPECT_EQ(actions(decoder.feed(head + event("rename", 1) + event("pause", 2).substr(0, 9))),
              std::vector<std::string>{"rename@1"});
    EXPECT_EQ(actions(decoder.feed(event("pause", 2).substr(9))), std::vector<std::string>{"pause@2"});
    EXPECT_TRUE(decoder.streaming());
}

TEST(EventStreamDecoder, AnErrorStatusOrSomethingElseFailsIt) {
    EventStreamDecoder refused;
    EXPECT_TRUE(refused.feed("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\n{}").empty());
    EXPECT_TRUE(refused.failed());
    EXPECT_EQ(refused.status(), 403u);
    EXPECT_EQ(refused.reason(), "HTTP 403");

    EventStreamDecoder junk;
    junk.feed("SSH-2.0-OpenSSH\r\n\r\n");
    EXPECT_TRUE(junk.failed());
    EXPECT_EQ(junk.status(), 0u);

    EventStreamDecoder bad_size;
    EXPECT_TRUE(bad_size.feed(kHead + "zz\r\n").empty());
    EXPECT_TRUE(bad_size.failed());

    EventStreamDecoder bad_end;
    bad_end.feed(kHead + "2\r\n{}xx");
    EXPECT_TRUE(bad_end.failed());
}

TEST(EventStreamDecoder, LimitsWhatItKeepsWaiting) {
    EventStreamDecoder head;
    head.feed("HTTP/1.1 200 OK\r\n" + std::string(EventStreamDecoder::kMaxHead, 'x'));
    EXPECT_TRUE(head.failed());

    EventStreamDecoder line;
    line.feed(kHead);
    const std::string part(64 * 1024, 'x');
    for (std::size_t sent = 0; sent <= EventStreamDecoder::kMaxLine && !line.failed(); sent += part.size())
        line.feed(chunk(part));
    EXPECT_TRUE(line.failed());
}

}  // namespace
}  // namespace cmon::sources
