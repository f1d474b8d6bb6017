// Broadcast: one ring wakes every waiter; deadlines and close() end waits. In-process io_context only.
#include "http/broadcast.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <vector>

namespace cmon::http {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> wait_into(Broadcast& broadcast, std::uint64_t seen, int& woken, bool& result) {
    result = co_await broadcast.wait_after(seen);
    ++woken;
}

TEST(Broadcast, OneRingWakesEveryWaiter) {
    asio::io_context io;
    Broadcast broadcast(io);
    int woken = 0;
    bool r0 = false, r1 = false, r2 = false;
    asio::co_spawn(io, wait_into(broadcast, 0, woken, r0), asio::detached);
    asio::co_spawn(io, wait_into(broadcast, 0, woken, r1), asio::detached);
    asio::co_spawn(io, wait_into(broadcast, 0, woken, r2), asio::detached);
    io.poll();  // all three are waiting now
    EXPECT_EQ(woken, 0);
    broadcast.ring();
    io.poll();
    EXPECT_EQ(woken, 3);
    EXPECT_TRUE(r0 && r1 && r2);
    EXPECT_EQ(broadcast.generation(), 1u);
}

TEST(Broadcast, AWaitForAnOldGenerationReturnsAtOnce) {
    asio::io_context io;
    Broadcast broadcast(io);
    broadcast.ring();
    int woken = 0;
    bool result = false;
    asio::co_spawn(io, wait_into(broadcast, 0, woken, result), asio::detached);
    io.poll();
    EXPECT_EQ(woken, 1);
    EXPECT_TRUE(result);
}

asio::awaitable<void> timed_wait(Broadcast& broadcast, Broadcast::Duration timeout, int& woken, bool& result) {
    result = co_await broadcast.wait_after(broadcast.generation(), timeout);
    ++woken;
}

TEST(Broadcast, DeadlineEndsOneWaitWithoutEndingTheOthers) {
    asio::io_context io;
    Broadcast broadcast(io);
    int timed = 0;
    int untimed = 0;
    bool timed_result = true;
    bool untimed_result = false;
    asio::co_spawn(io, timed_wait(broadcast, 1ms, timed, timed_result), asio::detached);
    asio::co_spawn(io, wait_into(broadcast, 0, untimed, untimed_result), asio::detached);
    while (timed == 0) io.run_one();  // the deadline fires (a wake-all the other waiter survives)
    io.poll();
    EXPECT_FALSE(timed_result);
    EXPECT_EQ(untimed, 0);
    broadcast.ring();
    io.poll();
    EXPECT_EQ(untimed, 1);
    EXPECT_TRUE(untimed_result);
}

TEST(Broadcast, CloseEndsWaitsForGood) {
    asio::io_context io;
    Broadcast broadcast(io);
    int woken = 0;
    bool result = true;
    asio::co_spawn(io, wait_into(broadcast, 0, woken, result), asio::detached);
    io.poll();
    broadcast.close();
    io.poll();
    EXPECT_EQ(woken, 1);
    EXPECT_FALSE(result);
    EXPECT_TRUE(broadcast.closed());
    io.restart();  // it ran out of work
    asio::co_spawn(io, wait_into(broadcast, 0, woken, result), asio::detached);
    io.poll();
    EXPECT_EQ(woken, 2);  // returned at once
}

}  // namespace
}  // namespace cmon::http
