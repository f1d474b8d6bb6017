// Session: the per-connection coroutine. Wire work only; what to answer is the Router's business.
#include "http/session.hpp"

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

bool is_parse_error(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

Session::Session(tcp::socket socket, SessionContext context)
    : stream_(std::move(socket)), context_(context) {
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
    // A connection accepted just before shutdown may start after the server closed the others.
    while (!closed_ && !context_.stopping) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);

        error_code ec;
        stream_.expires_after(context_.read_timeout);
        co_await bhttp::async_read(stream_, buffer, parser, kRedirect(ec));
        if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
            co_await finish();  // the peer is gone or went quiet mid-request: nobody to answer
            co_return;
        }
        if (ec == bhttp::error::header_limit) co_return co_await reject(11, 431, "request header too large");
        if (ec == bhttp::error::body_limit) co_return co_await reject(11, 413, "request body too large");
        if (is_parse_error(ec)) co_return co_await reject(11, 400, "malformed request");
        if (ec) co_return;  // timeout, reset, shutdown: nothing to say

        const auto& request = parser.get();
        HttpResponse response = co_await answer(request);
        if (!co_await write(response)) co_return;
        if (!response.keep_alive()) co_return co_await finish();
    }
}

asio::awaitable<Session::HttpResponse> Session::answer(const bhttp::request<bhttp::string_body>& request) {
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

    Response result;
    try {
        result = context_.router(routed);
    } catch (const std::exception&) {
        // A bug in an exporter must cost one response, not the server.
        result = Response{500, "application/json", "{\"error\":\"internal error\"}", {{"Cache-Control", "no-store"}}};
    }

    HttpResponse response{static_cast<bhttp::status>(result.status), request.version()};
    response.set(bhttp::field::server, "container-monitor");
    if (!result.content_type.empty()) response.set(bhttp::field::content_type, result.content_type);
    std::string explicit_length;
    for (const auto& [name, value] : result.headers) {
        if (iequals(name, "Content-Length")) {
            explicit_length = value;  // HEAD: the GET body's length, with no body
        } else {
            response.set(name, value);
        }
    }
    response.body() = std::move(result.body);
    if (explicit_length.empty()) {
        response.prepare_payload();
    } else {
        response.set(bhttp::field::content_length, explicit_length);
    }
    response.keep_alive(request.keep_alive() && !closed_);
    co_return response;
}

asio::awaitable<bool> Session::write(HttpResponse& response) {
    error_code ec;
    stream_.expires_after(context_.write_timeout);
    co_await bhttp::async_write(stream_, response, kRedirect(ec));
    co_return !ec;
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
