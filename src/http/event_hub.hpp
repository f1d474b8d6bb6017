// EventHub: what all /api/v1/events streams share, on the io_context thread. Streams wait on one
// Broadcast and are woken by an "epoch" bump when there is something to send: a publish, a heartbeat tick, a change of the paused state, or shutdown. What
// they send (the newest frame) they fetch themselves, so a slow stream skips straight to the newest.
// While at least one stream is open a single pump coroutine touches the provider at each publish, and
// 1.5 touch_intervals after the last touch without one: someone is watching, so collection must not
// pause. Heartbeats come only after heartbeat_interval without a publish. When the last stream closes the pump ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "http/beast_includes.hpp"
#include "http/broadcast.hpp"
#include "http/publish_signal.hpp"
#include "sampling/snapshot_provider.hpp"
#include "util/defaults.hpp"

namespace cmon::http {

struct EventHubOptions {
    std::chrono::milliseconds touch_interval = defaults::kStreamTouchInterval;
    std::chrono::milliseconds heartbeat_interval = defaults::kHeartbeatInterval;
};

class EventHub {
public:
    EventHub(asio::io_context& io, PublishSignal& publishes, sampling::SnapshotProvider& provider,
             EventHubOptions options);
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    // Registers one open stream for its lifetime (starts the pump when it is the first).
    class Subscription {
    public:
        explicit Subscription(EventHub& hub);
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

    private:
        EventHub& hub_;
    };

    // Bumped whenever streams should look again.
    std::uint64_t epoch() const { return bell_.generation(); }
    // Completes once epoch() differs from `seen`, or at once after close().
    asio::awaitable<void> wait_after(std::uint64_t seen);
    // Heartbeat ticks so far; a stream sends a comment when this moved since it last looked.
    std::uint64_t heartbeats() const { return heartbeats_; }
    // The provider's paused state as the pump saw it before its last touch (a touch resumes collection).
    bool paused() const { return paused_; }
    bool closed() const { return bell_.closed(); }
    std::size_t streams() const { return streams_; }
    // Server shutdown: wakes every stream for good.
    void close();

private:
    // `seen`: the publish generation the streams have already looked at.
    asio::awaitable<void> pump(std::uint64_t seen);

    asio::io_context& io_;
    PublishSignal& publishes_;
    sampling::SnapshotProvider& provider_;
    const EventHubOptions options_;
    Broadcast bell_;  // its generation is the epoch
    std::uint64_t heartbeats_ = 0;
    std::size_t streams_ = 0;
    bool pump_running_ = false;
    bool paused_ = false;
};

}  // namespace cmon::http
