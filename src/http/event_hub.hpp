// EventHub: what all /api/v1/events streams share, on the io_context thread. Streams wait on one
// Broadcast and are woken by an "epoch" bump when there is something to send: a publish, a heartbeat tick,
// a change of the paused state, a stream that DirectStreams handed back, or shutdown. What they send (the
// newest frame) they fetch themselves, so a slow stream skips straight to the newest.
// While at least one stream is open a single pump coroutine keeps collection from pausing: it touches the
// provider at each publish it sees, and 1.5 touch_intervals after its last touch without one. Heartbeats
// come only after heartbeat_interval without a publish. When the last stream closes the pump ends.
//
// While every open stream is fed by the sampler itself (DirectStreams, which touches the provider at
// each publish it sends), the pump does not ask to be woken by publishes: it looks once per quiet
// interval (heartbeat_interval, at most a third of the collection's idle pause) whether any came, and
// touches and beats as above when none did.
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
    // The collection's idle pause (zero: never pauses): bounds the quiet interval (see above).
    std::chrono::milliseconds idle_pause = defaults::kIdlePause;
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

    // A stream waits while DirectStreams sends its frames (for as long as this lives).
    class Direct {
    public:
        // The pump looks again how to wait: without publishes once every stream is direct, with them
        // as soon as one is not.
        explicit Direct(EventHub& hub) : hub_(hub) {
            ++hub_.direct_;
            hub_.publishes_.nudge();
        }
        ~Direct() {
            --hub_.direct_;
            hub_.publishes_.nudge();
        }
        Direct(const Direct&) = delete;
        Direct& operator=(const Direct&) = delete;

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
    std::size_t direct_ = 0;
    bool pump_running_ = false;
    bool paused_ = false;
};

}  // namespace cmon::http
