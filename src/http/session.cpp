// Session: the per-connection coroutine. Wire work only; what to answer is the Router's business.
#include "http/session.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <string>

#include "exporters/sse_exporter.hpp"
#include "http/request_parsing.hpp"
#include "http/response_head.hpp"

namespace cmon::http {
namespace {

using boost::system::error_code;

const auto kRedirect = [](error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); };

constexpr std::size_t kFirstRead = 1024;  // typical requests fit; Beast grows the buffer for larger ones

// asio::async_write's default (transfer_all) hands the socket at most 64 KiB per system call; a 170 KB
// /metrics body then takes three sends and as many wake-ups of the reader. Offer the kernel everything
// that is left each time: it takes what the send buffer allows.
std::size_t whole_rest(const error_code& ec, std::size_t /*sent*/) {
    return ec ? 0 : std::numeric_limits<std::size_t>::max();
}

bool is_parse_error(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

Session::Session(tcp::socket socket, SessionContext context)
    : stream_(std::move(socket), context.tls, context.deadlines), context_(context) {
    context_.sessions.insert(this);
}

Session::~Session() {
    // Before the socket closes with stream_: the publisher must be done with its descriptor.
    if (direct_) context_.direct->remove(*direct_);
    context_.sessions.erase(this);
}

asio::awaitable<void> Session::serve(tcp::socket socket, SessionContext context) {
    Session session(std::move(socket), context);
    co_await session.run();
}

void Session::close() {
    closed_ = true;
    drop();
}

void Session::expire_if(Transport::Clock::time_point now) {
    if (stream_.expired(now) && stream_.socket().is_open()) drop();
}

Transport::Clock::time_point Session::deadline() {
    return stream_.socket().is_open() ? stream_.deadline() : Transport::Clock::time_point::max();
}

void Session::drop() {
    if (direct_) context_.direct->remove(*direct_);
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

asio::awaitable<void> Session::run() {
    if (!co_await stream_.handshake(context_.read_timeout)) co_return;  // TLS only; plain: at once
    // The request loop's frame (read buffer, parser) is gone before an event stream starts: a stream
    // may stay open for hours, and with a thousand of them every kilobyte kept per stream counts.
    std::optional<EventStreamStart> events = co_await serve_requests();
    if (events) co_await stream_events(events->response, events->version);
}

asio::awaitable<std::optional<Session::EventStreamStart>> Session::serve_requests() {
    beast::flat_buffer buffer;
    // A connection accepted just before shutdown may start after the server closed the others.
    while (!closed_ && !context_.stopping) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);

        // Idle (keep-alive) until the first byte; from then on the whole request has read_timeout, so a
        // client trickling a byte at a time is cut after that much time in all (slowloris).
        const Awaited awaited = co_await await_request(buffer);
        if (awaited == Awaited::peer_closed && !stream_.secure()) {
            // The client closed after its last answer (a script's one request per connection): nothing is
            // unread and the answer is out, so closing sends our FIN after it; finish()'s shutdown and
            // read would only find the end again.
            error_code ignored;
            stream_.socket().close(ignored);
            co_return std::nullopt;
        }
        if (awaited != Awaited::request) {
            co_await finish();
            co_return std::nullopt;
        }
        error_code ec;
        stream_.expires_after(context_.read_timeout);
        co_await bhttp::async_read(stream_, buffer, parser, kRedirect(ec));
        if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
            co_await finish();  // the peer is gone or went quiet mid-request: nobody to answer
            co_return std::nullopt;
        }
        const char* refusal = nullptr;
        int refusal_status = 0;
        if (ec == bhttp::error::header_limit) {
            // The parser stores the target once the whole request line is in: none yet means the
            // request line itself was too long.
            refusal_status = parser.get().target().empty() ? 414 : 431;
            refusal = refusal_status == 414 ? "request target too long" : "request header too large";
        } else if (ec == bhttp::error::body_limit) {
            refusal_status = 413;
            refusal = "request body too large";
        } else if (is_parse_error(ec)) {
            refusal_status = 400;
            refusal = "malformed request";
        } else if (ec) {
            co_return std::nullopt;  // timeout, reset, shutdown: nothing to say
        } else if (parser.get().target().size() > kTargetLimit) {
            refusal_status = 414;
            refusal = "request target too long";
        }
        if (refusal != nullptr) {
            co_await reject(11, refusal_status, refusal);
            co_return std::nullopt;
        }

        const auto& request = parser.get();
        const bool head_request = request.method() == bhttp::verb::head;
        Response result = co_await answer(request);
        if (result.event_stream && !head_request) co_return EventStreamStart{std::move(result), request.version()};
        // HEAD of the event stream: the stream's head, then the end that closing the connection marks.
        const bool keep_alive = request.keep_alive() && !closed_ && !result.event_stream;
        const Framing framing =
            result.event_stream ? Framing::until_close : keep_alive ? Framing::keep_alive : Framing::close;
        if (!co_await send(result, request.version(), framing, head_request)) co_return std::nullopt;
        if (!keep_alive) {
            co_await finish();
            co_return std::nullopt;
        }
    }
    co_return std::nullopt;
}

// Waits up to idle_timeout for the next request's first bytes (at once when pipelined bytes are already
// buffered): `request`, else whether the peer closed (an orderly end) or failed or stayed silent.
asio::awaitable<Session::Awaited> Session::await_request(beast::flat_buffer& buffer) {
    if (buffer.size() > 0) co_return Awaited::request;
    error_code ec;
    stream_.expires_after(context_.idle_timeout);
    const std::size_t got = co_await stream_.async_read_some(buffer.prepare(kFirstRead), kRedirect(ec));
    buffer.commit(got);
    if (!ec && got > 0) co_return Awaited::request;
    co_return ec == asio::error::eof ? Awaited::peer_closed : Awaited::gone;
}

asio::awaitable<Response> Session::answer(const HttpRequest& request) {
    // The target is parsed once: access control and routing look at the same decoded path.
    const auto target = parse_target(request.target());
    if (!target) co_return error_response(400, "bad request");
    Request routed;
    routed.method = std::string(request.method_string());
    routed.path = target->path;
    routed.query = target->query;
    routed.accept_encoding = std::string(request[bhttp::field::accept_encoding]);
    routed.if_none_match = std::string(request[bhttp::field::if_none_match]);

    // Access control next: a refused request neither wakes collection nor waits for data.
    std::optional<AuthDecision> access;
    if (context_.access != nullptr) {
        AuthRequest credentials;
        credentials.path = target->path;
        credentials.query = target->query;
        credentials.authorization = std::string(request[bhttp::field::authorization]);
        credentials.cookie = std::string(request[bhttp::field::cookie]);
        credentials.secure = stream_.secure();
        access = co_await context_.access->check(credentials);
        if (!access->allowed()) co_return context_.access->refusal(credentials, *access);
        routed.authenticated = access->outcome == AuthDecision::Outcome::granted;
    }

    // Collection pauses when nobody looks; the first viewer after a pause waits (briefly) for the
    // snapshot that touch() just asked for instead of answering with stale data. Probes and HEAD
    // requests answer from what is there and leave a paused collection paused.
    if (wakes_collection(routed)) {
        const std::uint64_t seen = context_.publish_signal.generation();
        if (context_.provider.touch()) {
            co_await context_.publish_signal.wait_after(seen, context_.fresh_wait);
        }
    }

    try {
        Response response = context_.router(routed);
        if (access) context_.access->authenticator().complete(*access, response);
        co_return response;
    } catch (const std::exception&) {
        // A bug in an exporter must cost one response, not the server.
        co_return error_response(500, "internal error");
    }
}

asio::awaitable<bool> Session::write_bytes(std::string_view bytes) {
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), whole_rest, kRedirect(ec));
    co_return !ec;
}

asio::awaitable<bool> Session::write_frame(const EventFrame& frame) {
    // One gathered write of the frame's pieces: the snapshot's JSON goes from the cache's buffer.
    const std::string_view data = frame.data ? std::string_view(*frame.data) : std::string_view();
    const std::array<asio::const_buffer, 3> buffers{asio::buffer(frame.head->data(), frame.head->size()),
                                                    asio::buffer(data.data(), data.size()),
                                                    asio::buffer(frame.tail.data(), frame.tail.size())};
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await asio::async_write(stream_, buffers, whole_rest, kRedirect(ec));
    co_return !ec;
}

asio::awaitable<bool> Session::send(const Response& result, unsigned version, Framing framing, bool head_request) {
    // Head and body in one gathered write (one system call for a small response). The body is the
    // router's bytes (shared cache entry or static asset data), which `result` keeps alive meanwhile.
    const std::string_view body = write_response_head(head_, result, version, framing, head_request);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_.data(), head_.size()),
                                                    asio::buffer(body.data(), body.size())};
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await asio::async_write(stream_, buffers, whole_rest, kRedirect(ec));
    co_return !ec;
}

// Server-sent events until the peer goes, a write times out, or the server stops. The body is delimited
// by closing the connection (valid for HTTP/1.0 and 1.1), so every frame goes out as the very bytes the
// router cached: no per-client chunk framing, no copies. A slow peer is never queued for: after each
// write it takes whatever is newest, skipping frames published meanwhile.
asio::awaitable<void> Session::stream_events(const Response& result, unsigned version) {
    error_code ec;
    if (context_.event_send_buffer > 0) {
        // A fixed send buffer (no autotuning up to megabytes): what a client that stopped reading can
        // pin in the kernel stays small until the write timeout drops it.
        const int bytes = static_cast<int>(std::min<std::size_t>(context_.event_send_buffer, 1 << 30));
        stream_.socket().set_option(asio::socket_base::send_buffer_size(bytes), ec);
        ec.clear();
    }
    // The head and the retry hint in one write; then the head's buffer goes (nothing else is sent
    // from it on this connection).
    write_response_head(head_, result, version, Framing::until_close);
    head_.append(exporters::kSseRetry);
    const bool ok = co_await write_bytes(head_);
    std::string().swap(head_);
    if (!ok) co_return;

    EventHub& hub = context_.events;
    const EventHub::Subscription subscription(hub);
    if (context_.direct != nullptr && !stream_.secure() && !closed_)
        direct_ = context_.direct->add(stream_.socket().native_handle(), result.event_deltas);
    bool sent_any = false;
    std::uint64_t sent_sequence = 0;
    bool paused_sent = false;
    std::uint64_t heartbeats = hub.heartbeats();
    while (!closed_ && !context_.stopping && !hub.closed()) {
        const EventFrame frame =
            context_.router.latest_event(result.event_deltas && sent_any ? std::optional(sent_sequence) : std::nullopt);
        bool ok = true;
        if (!frame.empty() && (!sent_any || frame.sequence != sent_sequence)) {
            ok = co_await write_frame(frame);  // `frame` holds the shared bytes meanwhile
            sent_any = true;
            sent_sequence = frame.sequence;
            paused_sent = false;
        } else if (hub.paused() != paused_sent) {
            paused_sent = hub.paused();
            if (paused_sent) ok = co_await write_bytes(exporters::kSsePaused);
        } else if (hub.heartbeats() != heartbeats) {
            heartbeats = hub.heartbeats();
            ok = co_await write_bytes(exporters::kSseKeepAlive);
        } else {
            stream_.expires_never();  // idle by design; the heartbeat write finds a vanished peer
            const std::uint64_t epoch = hub.epoch();
            const DirectStreams::Handover handover =
                direct_ ? context_.direct->hand_over(*direct_, {sent_any, sent_sequence})
                        : DirectStreams::Handover::refused;
            if (handover == DirectStreams::Handover::send_first) continue;
            if (handover == DirectStreams::Handover::refused) {
                co_await hub.wait_after(epoch);
                continue;
            }
            // The sampler sends the frames now; anything the hub rings for takes the stream back.
            DirectStreams::Returned back;
            {
                const EventHub::Direct fed(hub);
                co_await hub.wait_after(epoch);
                back = context_.direct->take_back(*direct_);
            }
            if (back.progress.sent_any != sent_any || back.progress.sent_sequence != sent_sequence) paused_sent = false;
            sent_any = back.progress.sent_any;
            sent_sequence = back.progress.sent_sequence;
            if (back.failed) co_return;
            if (!back.rest.empty()) ok = co_await write_bytes(back.rest);
        }
        if (!ok) co_return;  // reset, or the write timed out: drop this client only
    }
}

asio::awaitable<void> Session::reject(unsigned version, int status, const char* message) {
    const Response response = error_response(status, message);  // send() keeps a reference across awaits
    if (co_await send(response, version, Framing::close, false)) co_await finish();
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
