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
#include "test_server.hpp"

namespace cmon::http {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using testing::FakeProvider;
using testing::make_snapshot;
using testing::RunningServer;
using testing::test_options;

// A blocking writer whose reads give up after a deadline.
class RawClient : public testing::DeadlineSocket {
public:
    explicit RawClient(std::uint16_t port) {
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
        for (;;) {
            const Read got = read_some(deadline);
            if (got == Read::closed) return true;
            if (got == Read::deadline) return false;
        }
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
};

TEST(ServerLimits, OverlongRequestLineGets414) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    RawClient client{server.port()};
    client.send("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 414 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, TargetOverTheLimitWithinTheHeaderLimitGets414) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    RawClient client{server.port()};
    client.send("GET /query?" + std::string(5000, 'x') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 414 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, ManyHeaderLinesGet431) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    RawClient client{server.port()};
    std::string request = "GET /query HTTP/1.1\r\n";
    for (int i = 0; i < 1000; ++i) request += "X-Header: 1234567890\r\n";
    client.send(request + "\r\n");
    ASSERT_TRUE(client.read_to_close(10s));
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 431 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, IdleKeepAliveConnectionIsClosed) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.idle_timeout = 1s;
    options.read_timeout = 60s;  // so only the idle timeout can close it within the wait below
    RunningServer server{provider, options};
    RawClient client{server.port()};
    client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(client.read_to_close(20s)) << "an idle keep-alive connection stayed open";
    EXPECT_TRUE(client.text().starts_with("HTTP/1.1 200 ")) << client.text().substr(0, 80);
}

TEST(ServerLimits, TricklingRequestIsCutByTheWholeRequestBound) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.read_timeout = 1s;
    options.idle_timeout = 60s;
    RunningServer server{provider, options};
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
    RunningServer server{provider};
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

// The sweep waits for the earliest deadline of any connection: a deadline set while it waits for a later
// one must move its wait, or the request timeout would take effect only with the other's idle timeout.
TEST(ServerLimits, AnEarlierDeadlineIsEnforcedWhileTheSweepWaitsForALaterOne) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.read_timeout = 1s;
    options.idle_timeout = 60s;
    RunningServer server{provider, options};
    RawClient idle{server.port()};  // sends nothing: its idle deadline is a minute away
    RawClient slow{server.port()};
    ASSERT_TRUE(slow.send("GET /query HTTP/1.1\r\nHost: x\r\n"));  // never finished: cut after read_timeout
    EXPECT_TRUE(slow.read_to_close(30s)) << "the unfinished request outlived its 1 s bound";
    EXPECT_FALSE(idle.closed_by_peer()) << "the idle connection went before its 60 s";
}

}  // namespace
}  // namespace cmon::http
