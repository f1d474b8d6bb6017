// Test helpers shared by the over-the-wire server tests: a Server on its own thread bound to a free
// loopback port, and a raw socket whose reads give up at a deadline (no read ever blocks a test).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>

#include "fake_provider.hpp"
#include "http/beast_includes.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_assets.hpp"

namespace cmon::http::testing {

// Loopback, a free port, no signal handling (the test process keeps its own).
inline ServerOptions test_options() {
    ServerOptions options;
    options.bind = "127.0.0.1";
    options.port = 0;
    options.handle_signals = false;
    return options;
}

// The router as the application sets it up: titled "test", with the embedded dashboard.
inline RouterOptions page_options() {
    RouterOptions options{"test"};
    options.assets = embedded_assets();
    return options;
}

// A server on its own thread; stopped and joined on destruction.
class RunningServer {
public:
    explicit RunningServer(FakeProvider& provider, ServerOptions options = test_options())
        : RunningServer(provider, std::move(options), page_options()) {}
    RunningServer(FakeProvider& provider, ServerOptions options, RouterOptions router_options)
        : router_(std::move(router_options), provider),
          server_(std::move(options), router_, provider),
          port_(server_.listen()),
          thread_([this] { server_.run(); }) {}
    ~RunningServer() { stop(); }
    RunningServer(const RunningServer&) = delete;
    RunningServer& operator=(const RunningServer&) = delete;
    void stop() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    std::uint16_t port() const { return port_; }
    const Router& router() const { return router_; }
    const Server& server() const { return server_; }

private:
    Router router_;
    Server server_;
    std::uint16_t port_;
    std::thread thread_;
};

// A client socket that accumulates what it reads into text(); each read waits at most until a deadline.
class DeadlineSocket {
public:
    enum class Read { data, deadline, closed };  // closed: end of stream or an error

    const std::string& text() const { return text_; }

protected:
    DeadlineSocket() : socket_(io_) {}

    // One read_some, at most until `deadline`.
    Read read_some(std::chrono::steady_clock::time_point deadline) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return Read::deadline;
        std::array<char, 65536> chunk{};
        boost::system::error_code result;
        std::size_t got = 0;
        bool done = false;
        socket_.async_read_some(asio::buffer(chunk), [&](const boost::system::error_code& ec, std::size_t n) {
            result = ec;
            got = n;
            done = true;
        });
        io_.restart();
        io_.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(left) + std::chrono::milliseconds(1));
        if (!done) {
            boost::system::error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run();
        }
        text_.append(chunk.data(), got);
        if (result && result != asio::error::operation_aborted) return Read::closed;
        return done && !result ? Read::data : Read::deadline;
    }

    asio::io_context io_;
    tcp::socket socket_;
    std::string text_;
};

}  // namespace cmon::http::testing
