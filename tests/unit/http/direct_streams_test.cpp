// DirectStreams: the publisher sends each new frame to a handed-over stream (a socket pair here, in the
// process), hands back a stream whose socket would block with the rest of the frame, or that failed,
// never writes to a removed stream's descriptor, touches the provider while it feeds a stream, and
// refuses a hand-over that would miss a snapshot already out.
#include "http/direct_streams.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <gtest/gtest.h>
#include <string>

#include "fake_provider.hpp"

namespace cmon::http {
namespace {

using testing::FakeProvider;
using testing::make_snapshot;
using Handover = DirectStreams::Handover;

class DirectStreamsTest : public ::testing::Test {
protected:
    void SetUp() override {
        int ends[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
        server_ = ends[0];
        client_ = ends[1];
        ASSERT_EQ(::fcntl(client_, F_SETFL, O_NONBLOCK), 0);
    }
    void TearDown() override {
        if (server_ >= 0) ::close(server_);
        if (client_ >= 0) ::close(client_);
    }
    // Everything the client end can read now.
    std::string received() const {
        std::string text;
        char buffer[65536];
        for (;;) {
            const ssize_t got = ::read(client_, buffer, sizeof buffer);
            if (got <= 0) break;
            text.append(buffer, static_cast<std::size_t>(got));
        }
        return text;
    }

    // A stream on the server end, handed over as one that sent snapshot 1.
    std::shared_ptr<DirectStreams::Stream> handed_over(bool deltas) {
        auto stream = direct_.add(server_, deltas);
        EXPECT_EQ(direct_.hand_over(*stream, {true, 1}), Handover::direct);
        return stream;
    }

    FakeProvider provider_{make_snapshot(1)};
    Router router_{RouterOptions{"test"}, provider_};
    int wakes_ = 0;
    DirectStreams direct_{router_, provider_, [this] { ++wakes_; }};
    int server_ = -1;
    int client_ = -1;
};

TEST_F(DirectStreamsTest, AHandedOverStreamGetsEachNewFrameFromThePublisher) {
    router_.latest_event();  // frame 1, as the session sent it (a delta is made from the body before)
    const auto stream = handed_over(true);
    provider_.publish(make_snapshot(2));
    direct_.publish();
    const std::string first = received();
    EXPECT_EQ(first.rfind("id: 2\nevent: delta\ndata: ", 0), 0u) << first;  // it takes deltas
    EXPECT_TRUE(first.ends_with("\n\n")) << first;
    EXPECT_EQ(first, router_.latest_event(1).text());

    provider_.publish(make_snapshot(3));
    direct_.publish();
    EXPECT_EQ(received(), router_.latest_event(2).text());
    EXPECT_EQ(direct_.frames_sent(), 2u);
    // Nothing newer: nothing sent again.
    direct_.publish();
    EXPECT_EQ(received(), "");
    EXPECT_EQ(wakes_, 0);

    const DirectStreams::Returned back = direct_.take_back(*stream);
    EXPECT_TRUE(back.progress.sent_any);
    EXPECT_EQ(back.progress.sent_sequence, 3u);
    EXPECT_FALSE(back.failed);
    EXPECT_TRUE(back.rest.empty());
    // Taken back: the publisher leaves it alone.
    provider_.publish(make_snapshot(4));
    direct_.publish();
    EXPECT_EQ(received(), "");
}

TEST_F(DirectStreamsTest, AStreamWithoutDeltasGetsWholeSnapshots) {
    router_.latest_event();  // frame 1 sent: a delta to 2 would be there for a stream that takes them
    const auto stream = handed_over(false);
    provider_.publish(make_snapshot(2));
    direct_.publish();
    const std::string frame = received();
    EXPECT_EQ(frame.rfind("id: 2\nevent: snapshot\ndata: {", 0), 0u) << frame;
    EXPECT_NE(frame.find("\"hostname\":\"test-host\""), std::string::npos) << frame;
}

TEST_F(DirectStreamsTest, AHandOverThatWouldMissASnapshotIsRefused) {
    const auto stream = direct_.add(server_, true);
    provider_.publish(make_snapshot(2));
    // Sent 1, 2 is out: the pass for 2 may have run already; the session sends it itself.
    EXPECT_EQ(direct_.hand_over(*stream, {true, 1}), Handover::send_first);
    EXPECT_EQ(direct_.hand_over(*stream, {false, 0}), Handover::send_first);
    EXPECT_EQ(direct_.hand_over(*stream, {true, 2}), Handover::direct);
    direct_.remove(*stream);
    EXPECT_EQ(direct_.hand_over(*stream, {true, 2}), Handover::refused);
}

TEST_F(DirectStreamsTest, BeforeTheFirstSnapshotTheFirstFrameIsTheWholeOne) {
    FakeProvider empty;
    Router router{RouterOptions{"test"}, empty};
    DirectStreams direct{router, empty, [] {}};
    const auto stream = direct.add(server_, true);
    ASSERT_EQ(direct.hand_over(*stream, {false, 0}), Handover::direct);
    empty.publish(make_snapshot(1));
    direct.publish();
    EXPECT_EQ(received().rfind("id: 1\nevent: snapshot\n", 0), 0u);
}

TEST_F(DirectStreamsTest, AStreamThatWouldBlockIsHandedBackWithTheRestOfTheFrame) {
    const int small = 4096;
    ASSERT_EQ(::setsockopt(server_, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    const auto stream = handed_over(false);
    // A frame far larger than the pair can hold.
    provider_.publish(make_snapshot(2, std::string(1 << 20, 'h')));
    direct_.publish();
    EXPECT_EQ(wakes_, 1);  // the network thread is rung to take it back
    EXPECT_EQ(direct_.handed_back(), 1u);
    EXPECT_EQ(direct_.frames_sent(), 0u);
    const std::string sent = received();
    const DirectStreams::Returned back = direct_.take_back(*stream);
    EXPECT_FALSE(back.failed);
    EXPECT_EQ(back.progress.sent_sequence, 2u);
    ASSERT_FALSE(back.rest.empty());
    EXPECT_EQ(sent + back.rest, router_.latest_event().text());
    // Handed back: the next publish does not write after the missing rest.
    provider_.publish(make_snapshot(3));
    direct_.publish();
    EXPECT_EQ(received(), "");
}

TEST_F(DirectStreamsTest, AStreamWhosePeerIsGoneIsHandedBackFailed) {
    const auto stream = handed_over(true);
    ::close(client_);
    client_ = -1;
    provider_.publish(make_snapshot(2));
    direct_.publish();  // EPIPE, and no SIGPIPE (MSG_NOSIGNAL): the test process lives on
    EXPECT_EQ(wakes_, 1);
    EXPECT_TRUE(direct_.take_back(*stream).failed);
}

TEST_F(DirectStreamsTest, ARemovedStreamsDescriptorIsNeverWritten) {
    const auto stream = handed_over(true);
    direct_.remove(*stream);  // the session closes its socket right after
    provider_.publish(make_snapshot(2));
    direct_.publish();
    EXPECT_EQ(received(), "");
    EXPECT_EQ(direct_.frames_sent(), 0u);
}

TEST_F(DirectStreamsTest, ThePublisherTouchesTheProviderOnlyWhileItFeedsAStream) {
    const auto stream = direct_.add(server_, true);
    direct_.publish();
    EXPECT_EQ(provider_.touches(), 0);  // added, not handed over
    ASSERT_EQ(direct_.hand_over(*stream, {true, 1}), Handover::direct);
    provider_.publish(make_snapshot(2));
    direct_.publish();
    EXPECT_EQ(provider_.touches(), 1);
    direct_.take_back(*stream);
    direct_.publish();
    EXPECT_EQ(provider_.touches(), 1);
}

TEST_F(DirectStreamsTest, AfterCloseNothingIsSentOrHandedOver) {
    const auto stream = handed_over(true);
    direct_.close();
    provider_.publish(make_snapshot(2));
    direct_.publish();
    EXPECT_EQ(received(), "");
    direct_.take_back(*stream);
    EXPECT_EQ(direct_.hand_over(*stream, {true, 2}), Handover::refused);
}

}  // namespace
}  // namespace cmon::http
