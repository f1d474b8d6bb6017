// HTTP limits over real sockets: request line and target size, idle keep-alive timeout, the bound on a
// whole request (slowloris). Waits are bounded waits for a condition, never timing asserts.
#include <array>
#include <chrono>
#include <gtest/gtest.h>
#include <string>
#include <thread>

#include "fake_provider.hpp"
#include "http/beast_includes.hpp"
#include "http/server.hpp"

namespace cmon::http {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using testing::FakeProvider;
using testing::make_snapshot;

class LimitsServer {
public:
    LimitsServer(FakeProvider& provider, ServerOptions options)
        : router_(RouterOptions{"test"}, provider),
          server_(with_test_defaults(std::move(options)), router_, provider),
          port_(server_.listen()),
          thread_([this] { server_.run(); }) {}
    ~LimitsServer() {
        server_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return port_; }

private:
    static ServerOptions with_test_defaults(ServerOptions options) {
        options.bind = "127.0.0.1";
        options.port = 0;
        options.handle_signals = false;
        return options;
    }
    Router router_;
    Server server_;
    std::uint16_t port_;
    std::thread thread_;
};

// A blocking socket whose reads give up after a deadline.
class RawClient {
public:
    explicit RawClient(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    bool send(std::string_view bytes) {
        error_code ec;
        asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
        return !ec;
    }
    // Reads until the server closes; false when it is still open at the deadline.
    bool read_to_close(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int state = read_some(deadline);
            if (state < 0) return true;
            if (state == 0) return false;
        }
        return false;
    }
    // Non-blocking look: true when the server has closed (EOF or reset).
    bool closed_by_peer() {
        socket_.non_blocking(true);
        std::array<char, 4096> chunk{};
        error_code ec;
        for (;;) {
            const std::size_t n = socket_.read_some(asio::buffer(chunk), ec);
            if (ec == asio::error::would_block) break;
            if (ec) {
                socket_.non_blocking(false);
                return true;
            }
            text_.append(chunk.data(), n);
        }
        socket_.non_blocking(false);
        return false;
    }
    const std::string& text() const { return text_; }

private:
    // 1: got bytes, 0: deadline passed, -1: end of stream or error.
    int read_some(std::chrono::steady_clock::time_point deadline) {
        std::array<char, 65536> chunk{};
        error_code result;
        std::size_t got = 0;
        bool done = false;
        socket_.async_read_some(asio::buffer(chunk), [&](const error_code& ec, std::size_t n) {
            result = ec;
            got = n;
            done = true;
        });
        io_.restart();
        io_.run_until(deadline);
        if (!done) {
            error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run();
            text_.append(chunk.data(), got);
            return 0;
        }
        text_.append(chunk.data(), got);
        return result ? -1 : 1;
    }

    asio::io_context io_;
    tcp::socket socket_;
    std::string text_;
};

TEST(ServerLimits, OverlongRequestLineGets414) {
    FakeProvider provider{make_snapshot(1)};
    LimitsServer server{provider, {}};
    RawClient client{server.port()};
    client.send("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 414 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, TargetOverTheLimitWithinTheHeaderLimitGets414) {
    FakeProvider provider{make_snapshot(1)};
    LimitsServer server{provider, {}};
    RawClient client{server.port()};
    client.send("GET /query?" + std::string(5000, 'x') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 414 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, ManyHeaderLinesGet431) {
    FakeProvider provider{make_snapshot(1)};
    LimitsServer server{provider, {}};
    RawClient client{server.port()};
    std::string request = "GET /query HTTP/1.1\r\n";
    for (int i = 0; i < 1000; ++i) request += "X-Header: 1234567890\r\n";
    client.send(request + "\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 431 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, IdleKeepAliveConnectionIsClosed) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options;
    options.idle_timeout = 1s;
    options.read_timeout = 60s;  // so only the idle timeout can close it within the wait below
    LimitsServer server{provider, options};
    RawClient client{server.port()};
    client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(client.read_to_close(20s)) << "an idle keep-alive connection stayed open";
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 200 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, TricklingRequestIsCutByTheWholeRequestBound) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options;
    options.read_timeout = 1s;
    options.idle_timeout = 60s;
    LimitsServer server{provider, options};
    RawClient client{server.port()};
    ASSERT_TRUE(client.send("GET /query HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    // A byte every 50 ms: far inside any per-read timeout. Bounded: give up after 400 bytes (20 s).
    bool closed = false;
    for (int i = 0; i < 400 && !closed; ++i) {
        closed = !client.send("a") || client.closed_by_peer();
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(closed) << "a client trickling its header kept the connection";
}

TEST(ServerLimits, PipelinedRequestsAreAllAnswered) {
    FakeProvider provider{make_snapshot(1)};
    LimitsServer server{provider, {}};
    RawClient client{server.port()};
    client.send(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    std::size_t answers = 0;
    for (std::size_t at = client.text().find("HTTP/1.1 200 "); at != std::string::npos;
         at = client.text().find("HTTP/1.1 200 ", at + 1)) {
        ++answers;
    }
    EXPECT_EQ(answers, 3u);
}

}  // namespace
}  // namespace cmon::http
