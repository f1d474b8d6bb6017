// Broadcast: the broadcast-timer wake-up (see the header for the trick).
#include "http/broadcast.hpp"

namespace cmon::http {

Broadcast::Broadcast(asio::io_context& io)
    : io_(io), timer_(io, asio::steady_timer::time_point::max()), self_(std::make_shared<Broadcast*>(this)) {}

void Broadcast::wake_all() {
    // Completes every pending async_wait with operation_aborted; the expiry stays at max().
    timer_.cancel();
}

void Broadcast::ring() {
    ++generation_;
    wake_all();
}

void Broadcast::close() {
    closed_ = true;
    wake_all();
}

asio::awaitable<void> Broadcast::wait_loop(std::uint64_t seen, const bool& timed_out) {
    while (generation_ == seen && !timed_out && !closed_) {
        boost::system::error_code ec;  // operation_aborted is the normal wake-up
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

asio::awaitable<bool> Broadcast::wait_after(std::uint64_t seen) {
    const bool never = false;
    co_await wait_loop(seen, never);
    co_return generation_ != seen;
}

asio::awaitable<bool> Broadcast::wait_after(std::uint64_t seen, Duration timeout) {
    if (generation_ != seen || closed_) co_return generation_ != seen;
    // The deadline wakes everybody (there is no way to cancel one wait on a shared timer in Asio 1.74);
    // the others find their generation unchanged and re-arm. Cheap: deadlines are rare.
    auto timed_out = std::make_shared<bool>(false);
    asio::steady_timer deadline(io_, timeout);
    deadline.async_wait([timed_out, weak = std::weak_ptr<Broadcast*>(self_)](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled: the wait ended first
        *timed_out = true;
        if (const auto self = weak.lock()) (*self)->wake_all();
    });
    co_await wait_loop(seen, *timed_out);
    deadline.cancel();
    co_return generation_ != seen;
}

}  // namespace cmon::http
