// Session: the per-connection coroutine. Wire work only; what to answer is the Router's business.
#include "http/session.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <string>

namespace cmon::http {
namespace {

using boost::system::error_code;

const auto kRedirect = [](error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); };

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

constexpr std::size_t kFirstRead = 4096;

bool is_parse_error(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

Session::Session(tcp::socket socket, SessionContext context)
    : stream_(std::move(socket), context.tls), context_(context) {
    context_.sessions.insert(this);
}

Session::~Session() { context_.sessions.erase(this); }

asio::awaitable<void> Session::serve(tcp::socket socket, SessionContext context) {
    Session session(std::move(socket), context);
    co_await session.run();
}

void Session::close() {
    closed_ = true;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

asio::awaitable<void> Session::run() {
    beast::flat_buffer buffer;
    if (!co_await stream_.handshake(context_.read_timeout)) co_return;  // TLS only; plain: at once
    // A connection accepted just before shutdown may start after the server closed the others.
    while (!closed_ && !context_.stopping) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);

        // Idle (keep-alive) until the first byte; from then on the whole request has read_timeout, so a
        // client trickling a byte at a time is cut after that much time in all (slowloris).
        if (!co_await await_request(buffer)) co_return co_await finish();
        error_code ec;
        stream_.expires_after(context_.read_timeout);
        co_await bhttp::async_read(stream_, buffer, parser, kRedirect(ec));
        if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
            co_await finish();  // the peer is gone or went quiet mid-request: nobody to answer
            co_return;
        }
        if (ec == bhttp::error::header_limit) {
            // The parser stores the target once the whole request line is in: none yet means the
            // request line itself was too long.
            if (parser.get().target().empty()) co_return co_await reject(11, 414, "request target too long");
            co_return co_await reject(11, 431, "request header too large");
        }
        if (ec == bhttp::error::body_limit) co_return co_await reject(11, 413, "request body too large");
        if (is_parse_error(ec)) co_return co_await reject(11, 400, "malformed request");
        if (ec) co_return;  // timeout, reset, shutdown: nothing to say

        const auto& request = parser.get();
        if (request.target().size() > kTargetLimit) co_return co_await reject(11, 414, "request target too long");
        const Response result = co_await answer(request);
        if (result.event_stream) co_return co_await stream_events(result, request.version());
        const bool keep_alive = request.keep_alive() && !closed_;
        if (!co_await send(result, request.version(), keep_alive)) co_return;
        if (!keep_alive) co_return co_await finish();
    }
}

// Waits up to idle_timeout for the next request's first bytes (at once when pipelined bytes are already
// buffered). False when the peer closed, failed or stayed silent.
asio::awaitable<bool> Session::await_request(beast::flat_buffer& buffer) {
    if (buffer.size() > 0) co_return true;
    error_code ec;
    stream_.expires_after(context_.idle_timeout);
    const std::size_t got = co_await stream_.async_read_some(buffer.prepare(kFirstRead), kRedirect(ec));
    buffer.commit(got);
    co_return !ec && got > 0;
}

asio::awaitable<Response> Session::answer(const HttpRequest& request) {
    // Access control first: a refused request neither wakes collection nor waits for data.
    std::optional<AuthDecision> access;
    AuthRequest credentials;
    if (context_.access != nullptr) {
        credentials.method = std::string(request.method_string());
        credentials.target = std::string(request.target());
        credentials.authorization = std::string(request[bhttp::field::authorization]);
        credentials.cookie = std::string(request[bhttp::field::cookie]);
        credentials.secure = stream_.secure();
        access = co_await context_.access->check(credentials);
        if (!access->allowed()) co_return context_.access->authenticator().denial(credentials);
    }

    // Collection pauses when nobody looks; the first request after a pause waits (briefly) for the
    // snapshot that touch() just asked for instead of answering with stale data.
    const std::uint64_t seen = context_.publish_signal.generation();
    if (context_.provider.touch()) {
        co_await context_.publish_signal.wait_after(seen, context_.fresh_wait);
    }

    Request routed;
    routed.method = std::string(request.method_string());
    routed.target = std::string(request.target());
    routed.accept_encoding = std::string(request[bhttp::field::accept_encoding]);
    routed.if_none_match = std::string(request[bhttp::field::if_none_match]);

    try {
        Response response = context_.router(routed);
        if (access) context_.access->authenticator().complete(credentials, *access, response);
        co_return response;
    } catch (const std::exception&) {
        // A bug in an exporter must cost one response, not the server.
        Response failure;
        failure.status = 500;
        failure.content_type = "application/json";
        failure.body = R"({"error":"internal error"})";
        failure.headers.emplace_back("Cache-Control", "no-store");
        co_return failure;
    }
}

template <class Message>
asio::awaitable<bool> Session::write(Message& message) {
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await bhttp::async_write(stream_, message, kRedirect(ec));
    co_return !ec;
}

asio::awaitable<bool> Session::write_bytes(std::string_view bytes) {
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), kRedirect(ec));
    co_return !ec;
}

asio::awaitable<bool> Session::send(const Response& result, unsigned version, bool keep_alive) {
    // span_body: the body points at the router's bytes (shared cache entry or static asset data), which
    // `result` keeps alive until the write completes.
    bhttp::response<bhttp::span_body<const char>> response{static_cast<bhttp::status>(result.status), version};
    response.set(bhttp::field::server, "container-monitor");
    if (!result.content_type.empty()) response.set(bhttp::field::content_type, result.content_type);
    std::string explicit_length;
    for (const auto& [name, value] : result.headers) {
        if (iequals(name, "Content-Length")) {
            explicit_length = value;  // HEAD: the GET body's length, with no body
        } else {
            response.insert(name, value);  // several WWW-Authenticate challenges stay separate
        }
    }
    const std::string_view bytes = result.payload();
    response.body() = {bytes.data(), bytes.size()};
    if (explicit_length.empty()) {
        response.prepare_payload();
    } else {
        response.set(bhttp::field::content_length, explicit_length);
    }
    response.keep_alive(keep_alive);
    co_return co_await write(response);
}

// Server-sent events until the peer goes, a write times out, or the server stops. The body is delimited
// by closing the connection (valid for HTTP/1.0 and 1.1), so every frame goes out as the very bytes the
// router cached: no per-client chunk framing, no copies. A slow peer is never queued for: after each
// write it takes whatever is newest, skipping frames published meanwhile.
asio::awaitable<void> Session::stream_events(const Response& result, unsigned version) {
    static constexpr std::string_view kRetry = "retry: 3000\n\n";
    static constexpr std::string_view kPaused = "event: paused\ndata: {\"paused\":true}\n\n";
    static constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

    bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(result.status), version};
    header.set(bhttp::field::server, "container-monitor");
    header.set(bhttp::field::content_type, result.content_type);
    for (const auto& [name, value] : result.headers) header.set(name, value);
    header.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> serializer{header};
    error_code ec;
    if (context_.event_send_buffer > 0) {
        // A fixed send buffer (no autotuning up to megabytes): what a client that stopped reading can
        // pin in the kernel stays small until the write timeout drops it.
        const int bytes = static_cast<int>(std::min<std::size_t>(context_.event_send_buffer, 1 << 30));
        stream_.socket().set_option(asio::socket_base::send_buffer_size(bytes), ec);
        ec.clear();
    }
    stream_.expires_after(context_.write_timeout);
    co_await bhttp::async_write_header(stream_, serializer, kRedirect(ec));
    if (ec || !co_await write_bytes(kRetry)) co_return;

    EventHub& hub = context_.events;
    const EventHub::Subscription subscription(hub);
    bool sent_any = false;
    std::uint64_t sent_sequence = 0;
    bool paused_sent = false;
    std::uint64_t heartbeats = hub.heartbeats();
    while (!closed_ && !context_.stopping && !hub.closed()) {
        const EventFrame frame = context_.router.latest_event();
        bool ok = true;
        if (frame.bytes && (!sent_any || frame.sequence != sent_sequence)) {
            ok = co_await write_bytes(*frame.bytes);  // `frame` holds the shared bytes meanwhile
            sent_any = true;
            sent_sequence = frame.sequence;
            paused_sent = false;
        } else if (hub.paused() != paused_sent) {
            paused_sent = hub.paused();
            if (paused_sent) ok = co_await write_bytes(kPaused);
        } else if (hub.heartbeats() != heartbeats) {
            heartbeats = hub.heartbeats();
            ok = co_await write_bytes(kKeepAlive);
        } else {
            stream_.expires_never();  // idle by design; the heartbeat write finds a vanished peer
            const std::uint64_t epoch = hub.epoch();
            co_await hub.wait_after(epoch);
        }
        if (!ok) co_return;  // reset, or the write timed out: drop this client only
    }
}

asio::awaitable<void> Session::reject(unsigned version, int status, const char* message) {
    HttpResponse response{static_cast<bhttp::status>(status), version};
    response.set(bhttp::field::server, "container-monitor");
    response.set(bhttp::field::content_type, "application/json");
    response.set(bhttp::field::cache_control, "no-store");
    response.body() = std::string("{\"error\":\"") + message + "\"}";
    response.prepare_payload();
    response.keep_alive(false);
    if (co_await write(response)) co_await finish();
}

// Graceful close: send FIN, then read and discard what the peer still sends (a rejected oversized
// header, say) for a moment. Closing with unread input would reset the connection and the peer could
// lose the response we just wrote.
asio::awaitable<void> Session::finish() {
    if (!closed_) co_await stream_.close_notify(std::chrono::seconds(2));  // TLS only
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || closed_) co_return;
    std::array<char, 4096> scratch{};
    std::size_t drained = 0;
    stream_.expires_after(std::chrono::seconds(2));
    while (!ec && drained < 256 * 1024) {
        drained += co_await stream_.async_read_some(asio::buffer(scratch), kRedirect(ec));
    }
    stream_.socket().close(ec);
}

}  // namespace cmon::http
