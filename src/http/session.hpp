// Session: one HTTP/1.1 connection (keep-alive) as a C++20 coroutine on the server's io_context.
// Reads with header/body limits and timeouts, waits for fresh data after a pause, asks the Router,
// writes the answer. Every network error is a value that ends this connection only.
#pragma once

#include <chrono>
#include <unordered_set>

#include "http/beast_includes.hpp"
#include "http/publish_signal.hpp"
#include "http/router.hpp"
#include "sampling/snapshot_provider.hpp"

namespace cmon::http {

class Session;

// What every session shares; owned by the Server, used on the io_context thread only.
struct SessionContext {
    const Router& router;
    sampling::SnapshotProvider& provider;
    PublishSignal& publish_signal;
    std::unordered_set<Session*>& sessions;  // live sessions, closed by the server's shutdown
    const bool& stopping;                    // set by the server's shutdown
    std::chrono::milliseconds fresh_wait;
    std::chrono::seconds read_timeout;
    std::chrono::seconds write_timeout;
};

class Session {
public:
    static constexpr std::size_t kHeaderLimit = 8 * 1024;
    static constexpr std::uint64_t kBodyLimit = 1024 * 1024;

    // Serves `socket` until the peer closes, a timeout or error hits, or close() is called.
    static asio::awaitable<void> serve(tcp::socket socket, SessionContext context);

    // Aborts pending I/O so the coroutine ends soon (server shutdown).
    void close();

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

private:
    using HttpResponse = bhttp::response<bhttp::string_body>;

    Session(tcp::socket socket, SessionContext context);
    ~Session();

    asio::awaitable<void> run();
    asio::awaitable<HttpResponse> answer(const bhttp::request<bhttp::string_body>& request);
    asio::awaitable<bool> write(HttpResponse& response);
    asio::awaitable<void> reject(unsigned version, int status, const char* message);
    asio::awaitable<void> finish();

    beast::tcp_stream stream_;
    SessionContext context_;
    bool closed_ = false;
};

}  // namespace cmon::http
