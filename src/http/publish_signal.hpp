// PublishSignal: wakes coroutines on the io_context when the sampler publishes a new snapshot. The
// sampler's thread writes to an eventfd that the io_context waits on; there a Broadcast wakes the waiters
// (the fresh-data wait of a request after a pause, the EventHub's pump).
//
// Not asio::post: a post from the sampler thread interrupts the reactor while holding the scheduler's
// lock, so the woken io thread (often on the same CPU, preempting the sampler) blocked on that lock and
// then on ours, three wakes and switches per publish. An eventfd write takes no lock: one wake.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "http/beast_includes.hpp"
#include "http/broadcast.hpp"
#include "util/unique_fd.hpp"

namespace cmon::http {

class PublishSignal {
public:
    using Duration = Broadcast::Duration;

    // Throws util::Error when no eventfd can be made (out of descriptors).
    explicit PublishSignal(asio::io_context& io);
    PublishSignal(const PublishSignal&) = delete;
    PublishSignal& operator=(const PublishSignal&) = delete;

    // A callable for SnapshotProvider::add_listener: safe from any thread, and harmless once this
    // PublishSignal is gone (the provider may outlive the server): it writes to a descriptor it shares.
    std::function<void()> notifier() const;

    // The rest runs on the io_context thread only.
    // Moves on when the io_context sees publishes (several close together may be seen as one).
    std::uint64_t generation() const { return publishes_.generation(); }
    // Completes when generation() differs from `seen` (returns true), or after `timeout`, or after
    // close() (both return false).
    asio::awaitable<bool> wait_after(std::uint64_t seen, Duration timeout) {
        return publishes_.wait_after(seen, timeout);
    }
    // Same, without a deadline.
    asio::awaitable<bool> wait_after(std::uint64_t seen) { return publishes_.wait_after(seen); }
    // Wakes every waiter for good; later waits return at once; stops waiting on the eventfd (so
    // io_context::run() can return). For server shutdown.
    void close();

private:
    void arm();

    // The eventfd the notifiers write to, owned by them and by this object together.
    std::shared_ptr<const util::UniqueFd> bell_;
    asio::posix::stream_descriptor reader_;  // a duplicate of the bell, waited on by the io_context
    Broadcast publishes_;
    bool closed_ = false;
};

}  // namespace cmon::http
