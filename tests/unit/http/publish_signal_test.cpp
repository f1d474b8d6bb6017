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

TEST(PublishSignal, APublishOnAnotherThreadWakesAWaiter) {
    asio::io_context io;
    PublishSignal signal(io);
    const std::function<void()> notify = signal.notifier();
    std::optional<bool> moved;
    start(io, signal.wait_after(0, 10s), moved);
    ASSERT_FALSE(moved.has_value());
    std::thread([&] { notify(); }).join();
    ASSERT_TRUE(run_until(io, [&] { return moved.has_value(); }));
    EXPECT_TRUE(*moved);
    EXPECT_EQ(signal.generation(), 1u);
    EXPECT_EQ(signal.rings(), 1u);
    signal.close();
}

TEST(PublishSignal, PublishesRingNobodyWhileNobodyWaits) {
    asio::io_context io;
    PublishSignal signal(io);
    const std::function<void()> notify = signal.notifier();
    std::thread([&] {
        notify();
        notify();
    }).join();
    EXPECT_EQ(signal.generation(), 2u);  // counted all the same
    EXPECT_EQ(signal.rings(), 0u);
    // A waiter that comes later sees them at once, without a ring.
    std::optional<bool> moved;
    start(io, signal.wait_after(1, 10s), moved);
    ASSERT_TRUE(moved.has_value());
    EXPECT_TRUE(*moved);
    EXPECT_EQ(signal.rings(), 0u);
    signal.close();
}

TEST(PublishSignal, AQuietRoundIsWokenByTheWakerAndNudgesNotByPublishes) {
    asio::io_context io;
    PublishSignal signal(io);
    const std::function<void()> notify = signal.notifier();
    const std::function<void()> wake = signal.waker();
    std::optional<bool> moved;
    start(io, signal.wait_round(0, 1h, false), moved);
    std::thread([&] { notify(); }).join();
    io.restart();
    io.poll();
    EXPECT_FALSE(moved.has_value()) << "a publish rang a quiet round";
    EXPECT_EQ(signal.rings(), 0u);
    std::thread([&] { wake(); }).join();
    ASSERT_TRUE(run_until(io, [&] { return moved.has_value(); }));
    EXPECT_TRUE(*moved);  // the publish before it is seen

    moved.reset();
    start(io, signal.wait_round(1, 1h, false), moved);
    EXPECT_FALSE(moved.has_value());
    signal.nudge();
    ASSERT_TRUE(run_until(io, [&] { return moved.has_value(); }));
    EXPECT_FALSE(*moved);  // woken, nothing published

    moved.reset();
    start(io, signal.wait_round(1, 1h, true), moved);  // asks for publishes to ring
    std::thread([&] { notify(); }).join();
    ASSERT_TRUE(run_until(io, [&] { return moved.has_value(); }));
    EXPECT_TRUE(*moved);
    signal.close();
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
