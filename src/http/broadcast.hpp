// Broadcast: wakes every coroutine waiting on the io_context thread at once. Asio 1.74 has no channels,
// so this is the broadcast-timer trick (stack-notes.md): one steady_timer that never expires; ring()
// bumps a generation and cancels the timer, which completes every pending wait; waiters compare the
// generation and re-arm when it has not moved. Used for "a snapshot was published" (PublishSignal) and
// "event streams, look again" (EventHub). On the io_context thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "http/beast_includes.hpp"

namespace cmon::http {

class Broadcast {
public:
    using Duration = std::chrono::steady_clock::duration;

    explicit Broadcast(asio::io_context& io);
    Broadcast(const Broadcast&) = delete;
    Broadcast& operator=(const Broadcast&) = delete;

    // Increases by one per ring().
    std::uint64_t generation() const { return generation_; }
    // Wakes every waiter; those whose generation is now different return.
    void ring();
    // Wakes every waiter for good; later waits return at once. For server shutdown.
    void close();
    bool closed() const { return closed_; }

    // Completes when generation() differs from `seen` (returns true), or after close() (false).
    asio::awaitable<bool> wait_after(std::uint64_t seen);
    // Same, or after `timeout` (false).
    asio::awaitable<bool> wait_after(std::uint64_t seen, Duration timeout);

private:
    void wake_all();
    asio::awaitable<void> wait_loop(std::uint64_t seen, const bool& timed_out);

    asio::io_context& io_;
    asio::steady_timer timer_;  // armed at time_point::max(); cancel() is the broadcast
    std::uint64_t generation_ = 0;
    bool closed_ = false;
    // Deadline handlers hold a weak reference: one that fires after this Broadcast is gone does nothing.
    std::shared_ptr<Broadcast*> self_;
};

}  // namespace cmon::http
