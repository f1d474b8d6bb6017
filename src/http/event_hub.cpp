// EventHub: broadcast bell, stream count and the pump that keeps collection awake while streams are open.
#include "http/event_hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace cmon::http {

EventHub::EventHub(asio::io_context& io, PublishSignal& publishes, sampling::SnapshotProvider& provider,
                   EventHubOptions options)
    : io_(io),
      publishes_(publishes),
      provider_(provider),
      options_(options),
      bell_(io) {}

EventHub::Subscription::Subscription(EventHub& hub) : hub_(hub) {
    ++hub_.streams_;
    if (hub_.pump_running_ || hub_.closed()) return;
    hub_.pump_running_ = true;
    // The pump starts later (co_spawn posts it): it compares against the generation as of now, so a
    // publish in between still rings.
    asio::co_spawn(hub_.io_, hub_.pump(hub_.publishes_.generation()), [](std::exception_ptr error) {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("http: event pump: {}", e.what());
        }
    });
}

EventHub::Subscription::~Subscription() { --hub_.streams_; }

void EventHub::close() { bell_.close(); }

asio::awaitable<void> EventHub::wait_after(std::uint64_t seen) { co_await bell_.wait_after(seen); }

asio::awaitable<void> EventHub::pump(std::uint64_t seen) {
    using Clock = std::chrono::steady_clock;
    // Rounds come with publishes. A publish round touches, and stands for a heartbeat too: the frames
    // keep the streams busy. Without publishes (collection paused, or a long interval) the timer touches
    // and beats. Its touch waits half an interval beyond the touch interval, so that with publishes at
    // about that interval the publish due comes first instead of a wake of its own just before it.
    const Clock::duration touch_after = options_.touch_interval + options_.touch_interval / 2;
    // With only direct streams, publishes are not seen as they come: the longest wait that still
    // touches well within the idle pause (publishes touch meanwhile; after the last one, the pump's
    // next look comes within two quiet intervals).
    Clock::duration quiet = options_.heartbeat_interval;
    if (options_.idle_pause.count() > 0) quiet = std::min<Clock::duration>(quiet, options_.idle_pause / 3);
    quiet = std::max<Clock::duration>(quiet, touch_after);
    Clock::time_point next_touch = Clock::now();
    Clock::time_point next_heartbeat = next_touch + options_.heartbeat_interval;
    while (streams_ > 0 && !closed()) {
        const Clock::time_point now = Clock::now();
        const bool all_direct = direct_ == streams_;
        bool news = false;
        const bool published = publishes_.generation() != seen;
        if (now >= next_touch || published) {
            // Look before touching: the touch itself resumes a paused collection.
            const bool paused = provider_.paused();
            news = paused != paused_;
            paused_ = paused;
            provider_.touch();
            next_touch = now + (published && all_direct ? quiet : touch_after);
        }
        if (published) {
            seen = publishes_.generation();
            news = true;
            next_heartbeat = now + options_.heartbeat_interval;
        } else if (now >= next_heartbeat) {
            ++heartbeats_;
            news = true;
            next_heartbeat = now + options_.heartbeat_interval;
        }
        if (news) bell_.ring();
        const auto wait = std::max(std::min(next_touch, next_heartbeat) - Clock::now(), Clock::duration::zero());
        // A publish rings at the top of the next round (unless every stream is direct); so do a stream
        // handed back (the waker) and one that starts or stops being direct (a nudge).
        co_await publishes_.wait_round(seen, wait, direct_ != streams_);
    }
    pump_running_ = false;
}

}  // namespace cmon::http
