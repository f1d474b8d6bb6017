// PublishSignal: wakes coroutines on the io_context when the sampler publishes a new snapshot.
// Asio 1.74 has no channels, so this is the broadcast-timer trick (stack-notes.md): one steady_timer
// that never expires; a publish cancels it, which completes every pending wait; waiters then compare a
// generation counter and re-arm when it has not moved. Used by the fresh-data wait and, later, by SSE.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "http/beast_includes.hpp"

namespace cmon::http {

class PublishSignal {
public:
    using Duration = std::chrono::steady_clock::duration;

    explicit PublishSignal(asio::io_context& io);
    ~PublishSignal();
    PublishSignal(const PublishSignal&) = delete;
    PublishSignal& operator=(const PublishSignal&) = delete;

    // A callable for SnapshotProvider::add_listener: safe from any thread, and a no-op once this
    // PublishSignal is gone (the provider may outlive the server).
    std::function<void()> notifier() const;

    // The rest runs on the io_context thread only.
    // Increases by one per publish seen on the io_context.
    std::uint64_t generation() const { return generation_; }
    // Completes when generation() differs from `seen` (returns true), or after `timeout`, or after
    // close() (both return false).
    asio::awaitable<bool> wait_after(std::uint64_t seen, Duration timeout);
    // Same, without a deadline.
    asio::awaitable<bool> wait_after(std::uint64_t seen);
    // Wakes every waiter for good; later waits return at once. For server shutdown.
    void close();

private:
    struct Link {
        std::mutex mutex;
        PublishSignal* self = nullptr;  // cleared by the destructor
    };

    void on_publish();
    void wake_all();
    asio::awaitable<void> wait_loop(std::uint64_t seen, const bool& timed_out);

    asio::io_context& io_;
    asio::steady_timer timer_;  // armed at time_point::max(); cancel() is the broadcast
    std::uint64_t generation_ = 0;
    bool closed_ = false;
    std::shared_ptr<Link> link_;
};

}  // namespace cmon::http
