// PublishSignal: a publish on another thread is a round on the io_context; close() lets run() return; a
// notifier kept after the signal is gone writes to no descriptor of anyone else. In-process io_context.
#include "http/publish_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <gtest/gtest.h>
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

TEST(PublishSignal, APublishOnAnotherThreadIsARoundOnTheIoContext) {
    asio::io_context io;
    PublishSignal signal(io);
    const std::function<void()> notify = signal.notifier();
    std::thread([&] { notify(); }).join();
    ASSERT_TRUE(run_until(io, [&] { return signal.generation() == 1; }));
    std::thread([&] { notify(); }).join();
    ASSERT_TRUE(run_until(io, [&] { return signal.generation() == 2; }));
    // Nothing more was published: no round without one.
    io.restart();
    io.poll();
    EXPECT_EQ(signal.generation(), 2u);
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
