// PublishSignal: wakes coroutines on the io_context when the sampler publishes a new snapshot. The
// sampler's thread writes to an eventfd that the io_context waits on; there a Broadcast wakes the waiters
// (the fresh-data wait of a request after a pause, the EventHub's pump).
//
// Not asio::post: a post from the sampler thread interrupts the reactor while holding the scheduler's
// lock, so the woken io thread (often on the same CPU, preempting the sampler) blocked on that lock and
// then on ours, three wakes and switches per publish. An eventfd write takes no lock: one wake.
//
// And only when somebody on the io_context waits for a publish: the notifier counts every publish in an
// atomic (generation()) and writes the eventfd only while a wait_after() runs. With every event stream
// fed by the sampler itself (DirectStreams) and no request waiting for fresh data, a publish then wakes
// nothing on the network thread. The count and the waiters are a Dekker pair (both sequentially
// consistent): a waiter counts itself before it reads the generation, the notifier counts the publish
// before it reads the waiters, so one of the two always sees the other.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

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
    // A callable that rings the io_context whether or not anybody waits for a publish (any thread):
    // DirectStreams hands a stream back with it. Equally harmless once this PublishSignal is gone.
    std::function<void()> waker() const;

    // Publishes so far (any thread; every one counted, whether or not it woke the io_context).
    std::uint64_t generation() const { return shared_->published.load(); }
    // Eventfd writes so far (any thread): publishes that somebody waited for, and waker() calls (tests).
    std::uint64_t rings() const { return shared_->rings.load(); }

    // The rest runs on the io_context thread only.
    // Completes when generation() differs from `seen` (returns true), or after `timeout`, or after
    // close() (both return false).
    asio::awaitable<bool> wait_after(std::uint64_t seen, Duration timeout);
    // Same, without a deadline.
    asio::awaitable<bool> wait_after(std::uint64_t seen);
    // One round of a waiter that looks again at every ring: completes at once when generation()
    // differs from `seen`, else at the next ring (a publish while anybody asked for those to ring, a
    // waker() call, a nudge()) or after `timeout`; returns whether generation() moved. `ring_on_publish`:
    // this wait asks for publishes to ring, as wait_after() does.
    asio::awaitable<bool> wait_round(std::uint64_t seen, Duration timeout, bool ring_on_publish);
    // Wakes the waiters as a ring would (they look at generation() again): for a wait_round() that
    // must now wait differently (EventHub's pump when a stream starts or stops being direct).
    void nudge() { rung_.ring(); }
    // Wakes every waiter for good; later waits return at once; stops waiting on the eventfd (so
    // io_context::run() can return). For server shutdown.
    void close();

private:
    // What the notifiers share with this object: they may outlive it.
    struct Shared {
        util::UniqueFd bell;  // the eventfd
        std::atomic<std::uint64_t> published{0};
        std::atomic<std::uint64_t> waiters{0};  // wait_after() calls running
        std::atomic<std::uint64_t> rings{0};
        void ring();
    };

    void arm();
    asio::awaitable<bool> wait(std::uint64_t seen, std::optional<Duration> timeout);

    std::shared_ptr<Shared> shared_;
    asio::posix::stream_descriptor reader_;  // a duplicate of the bell, waited on by the io_context
    Broadcast rung_;                         // moves with each eventfd read
    bool closed_ = false;
};

}  // namespace cmon::http
