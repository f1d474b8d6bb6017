// PublishSignal: wakes coroutines on the io_context when the sampler publishes a new snapshot. The
// sampler's thread hands each publish over to the io_context, where a Broadcast wakes the waiters (the
// fresh-data wait of a request after a pause, the EventHub's pump).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "http/beast_includes.hpp"
#include "http/broadcast.hpp"

namespace cmon::http {

class PublishSignal {
public:
    using Duration = Broadcast::Duration;

    explicit PublishSignal(asio::io_context& io);
    ~PublishSignal();
    PublishSignal(const PublishSignal&) = delete;
    PublishSignal& operator=(const PublishSignal&) = delete;

    // A callable for SnapshotProvider::add_listener: safe from any thread, and a no-op once this
    // PublishSignal is gone (the provider may outlive the server).
    std::function<void()> notifier() const;

    // The rest runs on the io_context thread only.
    // Increases by one per publish seen on the io_context.
    std::uint64_t generation() const { return publishes_.generation(); }
    // Completes when generation() differs from `seen` (returns true), or after `timeout`, or after
    // close() (both return false).
    asio::awaitable<bool> wait_after(std::uint64_t seen, Duration timeout) {
        return publishes_.wait_after(seen, timeout);
    }
    // Same, without a deadline.
    asio::awaitable<bool> wait_after(std::uint64_t seen) { return publishes_.wait_after(seen); }
    // Wakes every waiter for good; later waits return at once. For server shutdown.
    void close() { publishes_.close(); }

private:
    struct Link {
        std::mutex mutex;
        PublishSignal* self = nullptr;  // cleared by the destructor
    };

    asio::io_context& io_;
    Broadcast publishes_;
    std::shared_ptr<Link> link_;
};

}  // namespace cmon::http
