// Server over real sockets on 127.0.0.1:0, with a blocking Beast client whose reads have a deadline.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "fake_provider.hpp"
#include "http/beast_includes.hpp"
#include "util/error.hpp"

namespace cmon::http {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using testing::FakeProvider;
using testing::make_snapshot;
using HttpResponse = bhttp::response<bhttp::string_body>;

ServerOptions test_options() {
    ServerOptions options;
    options.bind = "127.0.0.1";
    options.port = 0;
    options.handle_signals = false;
    return options;
}

// A server on its own thread; stopped and joined on destruction.
class RunningServer {
public:
    explicit RunningServer(FakeProvider& provider, ServerOptions options = test_options())
        : router_(RouterOptions{"test"}, provider), server_(std::move(options), router_, provider),
          port_(server_.listen()), thread_([this] { server_.run(); }) {}
    ~RunningServer() { stop(); }
    void stop() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    std::uint16_t port() const { return port_; }

private:
    Router router_;
    Server server_;
    std::uint16_t port_;
    std::thread thread_;
};

class Client {
public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }

    void send_request(std::string_view method, std::string_view target, bool keep_alive = true) {
        bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
        request.set(bhttp::field::host, "127.0.0.1");
        request.keep_alive(keep_alive);
        bhttp::write(socket_, request);
    }

    // Reads one response, failing (throwing) after 5 s instead of hanging the test run.
    HttpResponse read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(head);
        error_code result = asio::error::timed_out;
        bool done = false;
        bhttp::async_read(socket_, buffer_, parser, [&](const error_code& ec, std::size_t) {
            result = ec;
            done = true;
        });
        io_.restart();
        io_.run_for(5s);
        if (!done) {
            error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run();
            result = asio::error::timed_out;
        }
        if (result) throw boost::system::system_error(result);
        return parser.release();
    }

    HttpResponse get(std::string_view target, bool keep_alive = true) {
        send_request("GET", target, keep_alive);
        return read();
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

TEST(Server, GetQueryReturnsJson) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client client{server.port()};
    const HttpResponse response = client.get("/query");
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(response[bhttp::field::content_type], "application/json");
    EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
    EXPECT_FALSE(response.body().empty());
    EXPECT_GE(provider.touches(), 1);
}

TEST(Server, KeepAliveServesTwoRequestsOnOneConnection) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client client{server.port()};
    const HttpResponse first = client.get("/query");
    EXPECT_EQ(first.result_int(), 200u);
    EXPECT_TRUE(first.keep_alive());
    const HttpResponse second = client.get("/missing");
    EXPECT_EQ(second.result_int(), 404u);
    const HttpResponse third = client.get("/query", false);
    EXPECT_EQ(third.result_int(), 200u);
    EXPECT_FALSE(third.keep_alive());
}

TEST(Server, HeadSendsLengthWithoutBody) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client client{server.port()};
    const std::string body = client.get("/").body();
    client.send_request("HEAD", "/");
    const HttpResponse head = client.read(true);
    EXPECT_EQ(head.result_int(), 200u);
    EXPECT_EQ(head[bhttp::field::content_length], std::to_string(body.size()));
    // The connection is still in step: the next response is parsed correctly.
    EXPECT_EQ(client.get("/query").result_int(), 200u);
}

TEST(Server, MethodNotAllowedOverTheWire) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client client{server.port()};
    client.send_request("POST", "/query");
    const HttpResponse response = client.read();
    EXPECT_EQ(response.result_int(), 405u);
    EXPECT_EQ(response[bhttp::field::allow], "GET, HEAD");
}

TEST(Server, MalformedRequestLineGets400AndServerKeepsServing) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    {
        Client bad{server.port()};
        bad.send("THIS IS NOT HTTP\r\n\r\n");
        EXPECT_EQ(bad.read().result_int(), 400u);
    }
    Client good{server.port()};
    EXPECT_EQ(good.get("/query").result_int(), 200u);
}

TEST(Server, OversizedHeaderIsRejectedAndServerKeepsServing) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    {
        Client big{server.port()};
        big.send("GET /query HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
        const unsigned status = big.read().result_int();
        EXPECT_TRUE(status == 431u || status == 400u) << status;
    }
    Client good{server.port()};
    EXPECT_EQ(good.get("/query").result_int(), 200u);
}

TEST(Server, AfterPauseWaitsForTheFreshSnapshot) {
    FakeProvider provider{make_snapshot(1, "stale")};
    provider.set_touch_result(true);
    std::thread publisher;
    provider.set_on_touch([&] {
        if (publisher.joinable()) return;
        publisher = std::thread([&] {
            std::this_thread::sleep_for(200ms);
            provider.publish(make_snapshot(2, "fresh"));
        });
    });
    ServerOptions options = test_options();
    options.fresh_wait = 5s;  // far longer than the publish: finishing early proves the wake-up worked
    RunningServer server{provider, options};
    Client client{server.port()};

    const auto start = std::chrono::steady_clock::now();
    const HttpResponse response = client.get("/query");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (publisher.joinable()) publisher.join();

    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(provider.last_sequence_read(), 2u);  // the router read the new snapshot
    EXPECT_GE(elapsed, 150ms);
    EXPECT_LT(elapsed, 3s);
}

TEST(Server, FreshWaitGivesUpAfterTheDeadline) {
    FakeProvider provider{make_snapshot(1)};
    provider.set_touch_result(true);  // paused, but nothing is ever published
    ServerOptions options = test_options();
    options.fresh_wait = 300ms;
    RunningServer server{provider, options};
    Client client{server.port()};

    const auto start = std::chrono::steady_clock::now();
    const HttpResponse response = client.get("/query");
    const auto elapsed = std::chrono::steady_clock::now() - start;

    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(provider.last_sequence_read(), 1u);
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 3s);
}

TEST(Server, OverConnectionLimitClosesNewConnections) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.max_connections = 1;
    RunningServer server{provider, options};
    Client first{server.port()};
    EXPECT_EQ(first.get("/query").result_int(), 200u);  // now surely counted
    Client second{server.port()};
    second.send_request("GET", "/query");
    EXPECT_THROW(second.read(), boost::system::system_error);
    EXPECT_EQ(first.get("/query").result_int(), 200u);
}

TEST(Server, StopEndsRunWithIdleKeepAliveConnectionOpen) {
    FakeProvider provider{make_snapshot(1)};
    auto server = std::make_unique<RunningServer>(provider);
    Client client{server->port()};
    EXPECT_EQ(client.get("/query").result_int(), 200u);
    const auto start = std::chrono::steady_clock::now();
    server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // not the 15 s read timeout
}

TEST(Server, PortInUseIsOneReadableError) {
    FakeProvider provider;
    Router router{RouterOptions{}, provider};
    Server first{test_options(), router, provider};
    ServerOptions options = test_options();
    options.port = first.listen();
    Server second{options, router, provider};
    try {
        second.listen();
        FAIL() << "listen() on a taken port succeeded";
    } catch (const util::Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("cannot listen on 127.0.0.1:" + std::to_string(options.port)), std::string::npos)
            << message;
        EXPECT_NE(message.find("address already in use"), std::string::npos) << message;
        EXPECT_NE(message.find("--port"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(Server, BadBindAddressIsOneReadableError) {
    FakeProvider provider;
    Router router{RouterOptions{}, provider};
    ServerOptions options = test_options();
    options.bind = "localhost:80";
    Server server{options, router, provider};
    try {
        server.listen();
        FAIL() << "listen() on a bad address succeeded";
    } catch (const util::Error& e) {
        EXPECT_NE(std::string(e.what()).find("is not an IP address"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace cmon::http
