// PublishSignal: a publish on another thread wakes a waiter on the io_context, and rings nobody while
// nobody waits; a quiet round is woken by the waker and nudges only; close() lets run() return; a
// notifier kept after the signal is gone writes to no descriptor of anyone else. In-process io_context.
#include "http/publish_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace cmon::http {
namespace {

using namespace std::chrono_literals;

// Runs `io` until `done` or 5 s.
template <class Done>
bool run_until(asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_one_for(100ms);
    }
    return done();
}

// Starts `wait` as a coroutine on `io` and runs the io_context until it is suspended; `result` is set
// when it completes.
void start(asio::io_context& io, asio::awaitable<bool> wait, std::optional<bool>& result) {
    asio::co_spawn(io, std::move(wait), [&result](std::exception_ptr, bool moved) { result = moved; });
    io.restart();
    io.poll();
}

// A signal on an io_context run by the test, publishes from another thread as the sampler's are, and
// the result of the wait the test started.
class PublishSignalWait : public ::testing::Test {
protected:
    void TearDown() override { signal_.close(); }
    void publish_elsewhere(int publishes = 1) {
        std::thread([&] {
            for (int i = 0; i < publishes; ++i) notify_();
        }).join();
    }
    bool until_done() {
        return run_until(io_, [&] { return moved_.has_value(); });
    }

    asio::io_context io_;
    PublishSignal signal_{io_};
    const std::function<void()> notify_ = signal_.notifier();
    std::optional<bool> moved_;
};

TEST_F(PublishSignalWait, APublishOnAnotherThreadWakesAWaiter) {
    start(io_, signal_.wait_after(0, 10s), moved_);
    ASSERT_FALSE(moved_.has_value());
    publish_elsewhere();
    ASSERT_TRUE(until_done());
    EXPECT_TRUE(*moved_);
    EXPECT_EQ(signal_.generation(), 1u);
    EXPECT_EQ(signal_.rings(), 1u);
}

TEST_F(PublishSignalWait, PublishesRingNobodyWhileNobodyWaits) {
    publish_elsewhere(2);
    EXPECT_EQ(signal_.generation(), 2u);  // counted all the same
    EXPECT_EQ(signal_.rings(), 0u);
    // A waiter that comes later sees them at once, without a ring.
    start(io_, signal_.wait_after(1, 10s), moved_);
    ASSERT_TRUE(moved_.has_value());
    EXPECT_TRUE(*moved_);
    EXPECT_EQ(signal_.rings(), 0u);
}

TEST_F(PublishSignalWait, AQuietRoundIsWokenByTheWakerAndNudgesNotByPublishes) {
    const std::function<void()> wake = signal_.waker();
    start(io_, signal_.wait_round(0, 1h, false), moved_);
    publish_elsewhere();
    io_.restart();
    io_.poll();
    EXPECT_FALSE(moved_.has_value()) << "a publish rang a quiet round";
    EXPECT_EQ(signal_.rings(), 0u);
    std::thread([&] { wake(); }).join();
    ASSERT_TRUE(until_done());
    EXPECT_TRUE(*moved_);  // the publish before it is seen

    moved_.reset();
    start(io_, signal_.wait_round(1, 1h, false), moved_);
    EXPECT_FALSE(moved_.has_value());
    signal_.nudge();
    ASSERT_TRUE(until_done());
    EXPECT_FALSE(*moved_);  // woken, nothing published

    moved_.reset();
    start(io_, signal_.wait_round(1, 1h, true), moved_);  // asks for publishes to ring
    publish_elsewhere();
    ASSERT_TRUE(until_done());
    EXPECT_TRUE(*moved_);
}

TEST(PublishSignal, CloseLetsRunReturn) {
    asio::io_context io;
    PublishSignal signal(io);
    signal.close();
    io.run_for(5s);
    EXPECT_TRUE(io.stopped()) << "the wait on the eventfd still holds the io_context";
}

TEST(PublishSignal, ANotifierKeptAfterTheSignalWritesToNoOtherDescriptor) {
    std::function<void()> notify;
    {
        asio::io_context io;
        PublishSignal signal(io);
        notify = signal.notifier();
        signal.close();
    }
    // The descriptors the signal closed are the lowest free ones now: a pipe made next reuses them.
    int ends[2];
    ASSERT_EQ(::pipe2(ends, O_NONBLOCK | O_CLOEXEC), 0);
    notify();
    char byte = 0;
    for (int end : ends) {
        errno = 0;
        EXPECT_EQ(::read(end, &byte, 1), -1) << "descriptor " << end << " got the notifier's bytes";
    }
    ::close(ends[0]);
    ::close(ends[1]);
}

}  // namespace
}  // namespace cmon::http
