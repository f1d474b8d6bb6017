// Server: binds, accepts, spawns one Session coroutine per connection, stops cleanly. One io_context,
// one thread (the caller of run()); stop() and the snapshot listener reach it only through post().
#include "http/server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <unordered_set>
#include <vector>

#include "http/access_gate.hpp"
#include "http/beast_includes.hpp"
#include "http/direct_streams.hpp"
#include "http/event_hub.hpp"
#include "http/publish_signal.hpp"
#include "http/session.hpp"
#include "http/transport.hpp"
#include "util/error.hpp"

namespace cmon::http {
namespace {

using boost::system::error_code;

std::string describe_endpoint(const std::string& bind, std::uint16_t port) {
    const bool ipv6 = bind.find(':') != std::string::npos;
    return (ipv6 ? "[" + bind + "]" : bind) + ":" + std::to_string(port);
}

std::string describe_listen_error(const error_code& ec) {
    if (ec == asio::error::address_in_use) {
        return "address already in use (is another container-monitor running? choose another with --port)";
    }
    if (ec == asio::error::access_denied) {
        return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; "
               "choose another with --port)";
    }
    if (ec == boost::system::errc::address_not_available) {
        return "address not available (no network interface of this host has it; choose another bind "
               "address)";
    }
    return ec.message();
}

// Completion of a detached coroutine: an exception ends that coroutine only, with one line in the log.
void report(const char* what, std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        spdlog::error("http: {}: {}", what, e.what());
    }
}

}  // namespace

class Server::Impl : public DeadlineListener {
public:
    Impl(ServerOptions options, Router& router, sampling::SnapshotProvider& provider)
        : options_(std::move(options)), router_(router), provider_(provider) {
        if (options_.tls_cert_file.empty() != options_.tls_key_file.empty()) {
            throw util::Error("--tls-cert and --tls-key go together: give both or neither");
        }
        if (!options_.tls_cert_file.empty()) tls_ = make_tls_context(options_.tls_cert_file, options_.tls_key_file);
        if (options_.auth) access_.emplace(options_.auth);
        provider_.add_listener([notify = publish_signal_.notifier()](const model::SnapshotPtr&) { notify(); });
        if (options_.direct_streams && !tls_) {
            direct_ = std::make_shared<DirectStreams>(router_, provider_, publish_signal_.waker());
            provider_.add_listener([direct = direct_](const model::SnapshotPtr&) { direct->publish(); });
        }
    }

    // Sessions still open end with io_, after this body: their deadlines need no sweep any more.
    ~Impl() {
        stopping_ = true;
        if (direct_) direct_->close();  // the provider may publish after this server is gone
    }

    std::uint16_t listen();
    void run();
    void stop() {
        asio::post(io_, [this] { shutdown(); });
    }
    std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
    std::uint64_t direct_frames() const { return direct_ ? direct_->frames_sent() : 0; }
    std::uint64_t direct_handed_back() const { return direct_ ? direct_->handed_back() : 0; }
    std::size_t direct_streams() const { return direct_ ? direct_->size() : 0; }
    std::uint64_t publish_rings() const { return publish_signal_.rings(); }
    // A session set a deadline: the sweep waits for the earliest one (a later one needs no timer work).
    void deadline_set(Transport::Clock::time_point deadline) override {
        if (deadline >= sweep_at_) return;
        arm_sweep(deadline);
    }
    // A session dropped a deadline before it passed. When it was the one the sweep waits for, the timer
    // moves to the earliest one left, else it would wake the thread for nothing (a poller's connection,
    // gone a moment after its request, would cost one wake-up a few seconds later, every time). Once per
    // batch of handlers: a thousand streams dropping their write deadlines after a frame cost one look
    // over the sessions, not one each.
    void deadline_dropped(Transport::Clock::time_point deadline) override {
        if (deadline != sweep_at_ || rearm_posted_ || stopping_) return;
        rearm_posted_ = true;
        asio::post(io_, [this] {
            rearm_posted_ = false;
            auto next = Transport::Clock::time_point::max();
            for (Session* session : sessions_) next = std::min(next, session->deadline());
            if (next != sweep_at_) arm_sweep(next);
        });
    }
    // Whether the sweep waits for a deadline (tests; any thread).
    bool sweep_armed() const { return sweep_armed_.load(std::memory_order_relaxed); }

private:
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> sweep_loop();
    void start_sweep();
    void arm_sweep(Transport::Clock::time_point deadline) {
        sweep_at_ = deadline;
        sweep_armed_.store(deadline != Transport::Clock::time_point::max(), std::memory_order_relaxed);
        sweep_timer_.expires_at(deadline);  // ends the sweep's current wait; it waits again for this
    }
    void shutdown();
    [[noreturn]] void fail(const std::string& why) const {
        throw util::Error("cannot listen on " + describe_endpoint(options_.bind, options_.port) + ": " + why);
    }

    ServerOptions options_;
    Router& router_;
    sampling::SnapshotProvider& provider_;
    // Declared before io_: sessions still suspended when io_ is destroyed unregister themselves here
    // (and remove their streams from direct_).
    std::unordered_set<Session*> sessions_;
    std::shared_ptr<DirectStreams> direct_;  // null: TLS, or direct streams off
    std::size_t active_ = 0;
    asio::io_context io_{1};
    tcp::acceptor acceptor_{io_};
    // Session timeouts: one timer for all connections, set to the earliest deadline of any (see
    // Transport); none while no deadline runs (an idle event stream has none).
    asio::steady_timer sweep_timer_{io_, Transport::Clock::time_point::max()};
    Transport::Clock::time_point sweep_at_ = Transport::Clock::time_point::max();
    bool sweeping_ = false;
    bool rearm_posted_ = false;
    std::atomic<bool> sweep_armed_{false};
    PublishSignal publish_signal_{io_};
    EventHub events_{io_, publish_signal_, provider_,
                     EventHubOptions{options_.stream_touch_interval, options_.heartbeat_interval, options_.idle_pause}};
    std::optional<asio::signal_set> signals_;
    std::unique_ptr<ssl::context> tls_;  // null: plain HTTP
    // After io_: its worker thread is joined before io_ goes (a pending verification only holds work).
    std::optional<AccessGate> access_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> accepted_{0};  // read from other threads (app/'s housekeeping)
};

std::uint16_t Server::Impl::listen() {
    error_code ec;
    const asio::ip::address address = asio::ip::make_address(options_.bind, ec);
    if (ec) fail("'" + options_.bind + "' is not an IP address (use e.g. 0.0.0.0, 127.0.0.1 or ::)");
    const tcp::endpoint endpoint(address, options_.port);

    acceptor_.open(endpoint.protocol(), ec);
    if (ec) fail(describe_listen_error(ec));
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);  // restart despite TIME_WAIT
    if (!ec) {
        // A connection is handed over once its first bytes (the request) are in, not at the handshake:
        // one wake of the io thread per connection instead of one for the accept and one for the
        // request that follows it. A client silent for longer is accepted then (and meets the idle
        // timeout): the kernel counts the wait in SYN-ACK retransmissions, roughly these seconds.
        const int seconds = static_cast<int>(std::clamp<std::int64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(options_.read_timeout).count(), 1, 60));
        ::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds);
    }
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error_code ignored;
        acceptor_.close(ignored);
        fail(describe_listen_error(ec));
    }
    const tcp::endpoint bound = acceptor_.local_endpoint(ec);
    if (ec) fail(describe_listen_error(ec));
    return bound.port();
}

void Server::Impl::run() {
    if (options_.handle_signals) {
        signals_.emplace(io_, SIGINT, SIGTERM);
        signals_->async_wait([this](const error_code& ec, int) {
            if (!ec) shutdown();
        });
    }
    asio::co_spawn(io_, accept_loop(), [](std::exception_ptr e) { report("accept loop", e); });
    io_.run();
}

asio::awaitable<void> Server::Impl::accept_loop() {
    const SessionContext context{router_,
                                 provider_,
                                 publish_signal_,
                                 events_,
                                 sessions_,
                                 stopping_,
                                 options_.fresh_wait,
                                 options_.read_timeout,
                                 options_.write_timeout,
                                 options_.idle_timeout,
                                 options_.event_send_buffer,
                                 access_ ? &*access_ : nullptr,
                                 tls_.get(),
                                 this,
                                 direct_.get()};
    while (!stopping_ && acceptor_.is_open()) {
        error_code ec;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_ || ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            // Out of descriptors or similar: back off a little instead of spinning.
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        if (active_ >= options_.max_connections) {
            socket.close(ec);  // accept-and-close tells the client at once, instead of a hanging SYN
            continue;
        }
        ++active_;
        accepted_.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(io_, Session::serve(std::move(socket), context), [this](std::exception_ptr e) {
            --active_;
            report("session", e);
        });
        start_sweep();
    }
}

void Server::Impl::start_sweep() {
    if (sweeping_ || stopping_) return;
    sweeping_ = true;
    asio::co_spawn(io_, sweep_loop(), [this](std::exception_ptr e) {
        if (e) sweeping_ = false;  // otherwise the loop cleared it itself, before a later start_sweep()
        report("timeout sweep", e);
    });
}

// At the earliest deadline of any session, drops the connections whose read, write or idle deadline has
// passed, then waits for the earliest one left. A deadline set meanwhile that is earlier moves the wait
// (deadline_set). So timeouts take effect when they are due, and the server wakes for them only then: an
// event stream between frames, or a keep-alive connection whose deadline is seconds away, costs no
// periodic wake-ups. Ends at shutdown, or when it wakes and no connection is left (start_sweep() starts it
// again for the next one).
asio::awaitable<void> Server::Impl::sweep_loop() {
    while (!stopping_ && active_ > 0) {
        error_code ec;
        co_await sweep_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_) break;
        const auto now = Transport::Clock::now();
        if (now < sweep_at_) continue;  // moved earlier (or not yet due): wait again
        auto next = Transport::Clock::time_point::max();
        for (Session* session : sessions_) {
            session->expire_if(now);
            next = std::min(next, session->deadline());
        }
        arm_sweep(next);
    }
    sweeping_ = false;
}

void Server::Impl::shutdown() {
    if (stopping_) return;
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    sweep_timer_.cancel();
    if (signals_) signals_->cancel(ignored);
    publish_signal_.close();
    events_.close();
    const std::vector<Session*> open(sessions_.begin(), sessions_.end());
    for (Session* session : open) session->close();
    // io_.run() returns once the sessions' coroutines have seen their aborted I/O and ended.
}

Server::Server(ServerOptions options, Router& router, sampling::SnapshotProvider& provider)
    : impl_(std::make_unique<Impl>(std::move(options), router, provider)) {}

Server::~Server() = default;

std::uint16_t Server::listen() { return impl_->listen(); }

void Server::run() { impl_->run(); }

void Server::stop() { impl_->stop(); }

std::uint64_t Server::accepted_connections() const { return impl_->accepted(); }

std::uint64_t Server::direct_frames() const { return impl_->direct_frames(); }

std::uint64_t Server::direct_handed_back() const { return impl_->direct_handed_back(); }

std::size_t Server::direct_streams() const { return impl_->direct_streams(); }

std::uint64_t Server::publish_rings() const { return impl_->publish_rings(); }

bool Server::sweep_armed() const { return impl_->sweep_armed(); }

}  // namespace cmon::http
