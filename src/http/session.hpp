// Session: one HTTP/1.1 connection (keep-alive) as a C++20 coroutine on the server's io_context.
// Reads with header/body limits and timeouts, decides access once on the decoded path, wakes collection
// for viewers (and waits for fresh data after a pause), asks the Router,
// writes the answer (shared cache bytes, never copied). For /api/v1/events the connection becomes a
// server-sent event stream fed through the EventHub; a plain-TCP one is handed to DirectStreams whenever
// it has sent all there is, so the sampler's thread sends its frames. Every network error is a value that
// ends this connection only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_set>

#include "http/access_gate.hpp"
#include "http/beast_includes.hpp"
#include "http/direct_streams.hpp"
#include "http/event_hub.hpp"
#include "http/publish_signal.hpp"
#include "http/response_head.hpp"
#include "http/router.hpp"
#include "http/transport.hpp"
#include "sampling/snapshot_provider.hpp"

namespace cmon::http {

class Session;

// What every session shares; owned by the Server, used on the io_context thread only.
struct SessionContext {
    const Router& router;
    sampling::SnapshotProvider& provider;
    PublishSignal& publish_signal;
    EventHub& events;
    std::unordered_set<Session*>& sessions;  // live sessions, closed by the server's shutdown
    const bool& stopping;                    // set by the server's shutdown
    std::chrono::milliseconds fresh_wait;
    std::chrono::seconds read_timeout;  // a whole request, from its first byte
    std::chrono::seconds write_timeout;
    std::chrono::seconds idle_timeout;  // keep-alive wait for the next request's first byte
    std::size_t event_send_buffer;      // SO_SNDBUF of event streams; 0 = system default
    AccessGate* access = nullptr;       // access control; null: open to all
    ssl::context* tls = nullptr;        // TLS; null: plain HTTP
    DeadlineListener* deadlines = nullptr;  // the server's timeout sweep
    DirectStreams* direct = nullptr;        // plain event streams fed by the sampler; null: none
};

class Session {
public:
    static constexpr std::size_t kHeaderLimit = 8 * 1024;  // request line and header fields together
    static constexpr std::size_t kTargetLimit = 4 * 1024;  // longer request targets get 414
    static constexpr std::uint64_t kBodyLimit = 1024 * 1024;

    // Serves `socket` until the peer closes, a timeout or error hits, or close() is called.
    static asio::awaitable<void> serve(tcp::socket socket, SessionContext context);

    // Aborts pending I/O so the coroutine ends soon (server shutdown).
    void close();
    // Called by the server's sweep: drops the connection when its current read or write deadline
    // (read, write or idle timeout) has passed. Pending I/O then fails and the coroutine ends.
    void expire_if(Transport::Clock::time_point now);
    // The current deadline; time_point::max() while none runs (or once the connection is closed).
    Transport::Clock::time_point deadline();

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

private:
    using HttpRequest = bhttp::request<bhttp::string_body>;

    Session(tcp::socket socket, SessionContext context);
    ~Session();

    struct EventStreamStart {
        Response response;
        unsigned version = 11;
    };

    asio::awaitable<void> run();
    // The keep-alive request loop; returns the response that turns the connection into an event stream.
    asio::awaitable<std::optional<EventStreamStart>> serve_requests();
    enum class Awaited { request, peer_closed, gone };
    asio::awaitable<Awaited> await_request(beast::flat_buffer& buffer);
    asio::awaitable<Response> answer(const HttpRequest& request);
    asio::awaitable<bool> send(const Response& result, unsigned version, Framing framing, bool head_request);
    asio::awaitable<void> stream_events(const Response& result, unsigned version);
    asio::awaitable<bool> write_bytes(std::string_view bytes);
    asio::awaitable<bool> write_frame(const EventFrame& frame);
    asio::awaitable<void> reject(unsigned version, int status, const char* message);
    asio::awaitable<void> finish();
    void drop();  // shuts the socket down and closes it

    Transport stream_;  // plain TCP or TLS
    SessionContext context_;
    std::string head_;  // the response head being written; its capacity is kept between requests
    std::shared_ptr<DirectStreams::Stream> direct_;  // an event stream the sampler may feed; removed before the socket closes
    bool closed_ = false;
};

}  // namespace cmon::http
