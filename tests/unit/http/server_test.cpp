// Server over real sockets on 127.0.0.1:0, with a blocking Beast client whose reads have a deadline.
#include "http/server.hpp"

#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "exporters/query_exporter.hpp"
#include "fake_provider.hpp"
#include "fakes/fake_clock.hpp"
#include "http/authenticator.hpp"
#include "http/beast_includes.hpp"
#include "inflate.hpp"
#include "test_server.hpp"
#include "util/error.hpp"

namespace cmon::http {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using testing::FakeProvider;
using testing::make_snapshot;
using testing::RunningServer;
using testing::test_options;
using HttpResponse = bhttp::response<bhttp::string_body>;

class Client {
public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }

    void send_request(std::string_view method, std::string_view target, bool keep_alive = true,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
        request.set(bhttp::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers) request.set(name, value);
        request.keep_alive(keep_alive);
        bhttp::write(socket_, request);
    }

    // Reads one response, failing (throwing) after 5 s instead of hanging the test run.
    HttpResponse read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(head);
        const error_code result = run_for_5s([&](Finish finish) {
            bhttp::async_read(socket_, buffer_, parser, [finish](const error_code& ec, std::size_t) { finish(ec); });
        });
        if (result) throw boost::system::system_error(result);
        return parser.release();
    }

    HttpResponse get(std::string_view target, bool keep_alive = true) {
        send_request("GET", target, keep_alive);
        return read();
    }

    // Ends what this client sends (FIN) and reads on: the server sees the end of the connection.
    void end_sending() { socket_.shutdown(tcp::socket::shutdown_send); }

    // Waits up to 5 s for the server to end the connection: eof when it closed in order, else the error
    // (a reset) or timed_out.
    error_code read_to_end() {
        if (buffer_.size() > 0) return asio::error::message_size;  // unread bytes of a response: not the end
        std::array<char, 256> scratch{};
        std::function<void(const error_code&, std::size_t)> on_read;  // lives until the io run ends
        return run_for_5s([&](Finish finish) {
            on_read = [&, finish](const error_code& ec, std::size_t) {
                if (!ec) return socket_.async_read_some(asio::buffer(scratch), on_read);
                finish(ec);
            };
            socket_.async_read_some(asio::buffer(scratch), on_read);
        });
    }

private:
    using Finish = std::function<void(const error_code&)>;

    // Starts an operation (`start` gets what to call with its outcome) and runs this client's io until it
    // finishes or 5 s passed (then it is cancelled: timed_out), instead of hanging the test run.
    template <class Start>
    error_code run_for_5s(Start start) {
        error_code result = asio::error::timed_out;
        bool done = false;
        start(Finish([&](const error_code& ec) {
            result = ec;
            done = true;
        }));
        io_.restart();
        io_.run_for(5s);
        if (!done) {
            error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run();
            result = asio::error::timed_out;
        }
        return result;
    }

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

// A script's request: keep-alive by default, and the connection ended by the client once it has asked.
// The whole answer arrives, then the server's orderly end (no reset), without waiting for a timeout.
TEST(Server, AClientThatEndsItsSideGetsTheWholeAnswerAndThenTheEnd) {
    const model::SnapshotPtr snapshot = make_snapshot(1);
    FakeProvider provider{snapshot};
    RunningServer server{provider};
    Client client{server.port()};
    client.send_request("GET", "/query");
    client.end_sending();
    const HttpResponse response = client.read();
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(response.body(), exporters::to_query_json(*snapshot));
    EXPECT_EQ(client.read_to_end(), asio::error::eof);
}

// A connection is accepted when its request is in (TCP_DEFER_ACCEPT), not at the handshake: one wake of
// the io thread per request. A silent connection made first is still not accepted once a later one was
// answered (without the option the server takes connections in the order they came); its request, when
// it comes, is answered.
TEST(Server, AConnectionIsAcceptedWithItsRequestNotBefore) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client silent{server.port()};
    Client asking{server.port()};
    EXPECT_EQ(asking.get("/query").result_int(), 200u);
    EXPECT_EQ(server.server().accepted_connections(), 1u) << "the silent connection was accepted before it asked";
    EXPECT_EQ(silent.get("/query").result_int(), 200u);
    EXPECT_EQ(server.server().accepted_connections(), 2u);
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

// Every route that reads the snapshot touches the provider and, after a pause, waits for the fresh one.
TEST(Server, AfterPauseWaitsForTheFreshSnapshot) {
    for (const char* target : {"/query", "/metrics", "/api/v1/snapshot"}) {
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
        // Far longer than the client's 5 s read deadline: an answer at all proves the wake-up worked.
        options.fresh_wait = std::chrono::hours(1);
        RunningServer server{provider, options};
        Client client{server.port()};

        const auto start = std::chrono::steady_clock::now();
        const HttpResponse response = client.get(target);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        if (publisher.joinable()) publisher.join();

        EXPECT_EQ(response.result_int(), 200u) << target;
        EXPECT_EQ(provider.last_sequence_read(), 2u) << target;  // the router read the new snapshot
        EXPECT_GE(elapsed, 150ms) << target;  // the publish comes 200 ms after the touch
    }
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
    EXPECT_GE(elapsed, 300ms);  // it waited out fresh_wait (a timer never fires early); the client's read
                                // deadline bounds the other side
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

// stop() on another thread; whether it returned within `timeout` (far less than the server's own timeouts
// in these tests, which would otherwise end the connections for it).
bool stops_within(RunningServer& server, std::chrono::seconds timeout) {
    auto stopped = std::async(std::launch::async, [&server] { server.stop(); });
    const bool in_time = stopped.wait_for(timeout) == std::future_status::ready;
    stopped.wait();
    return in_time;
}

TEST(Server, StopEndsRunWithIdleKeepAliveConnectionOpen) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.idle_timeout = std::chrono::hours(1);
    options.read_timeout = std::chrono::hours(1);
    auto server = std::make_unique<RunningServer>(provider, options);
    Client client{server->port()};
    EXPECT_EQ(client.get("/query").result_int(), 200u);
    EXPECT_TRUE(stops_within(*server, 60s)) << "stop() waited for the idle keep-alive connection";
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

model::SnapshotPtr make_noted_snapshot(std::uint64_t sequence, std::size_t note_size) {
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = sequence;
    snapshot->host.hostname = "test-host";
    snapshot->note.reserve(note_size);
    for (std::size_t i = 0; snapshot->note.size() < note_size; ++i) snapshot->note += std::to_string(i * 7919) + ' ';
    return snapshot;
}

TEST(Server, GzipAndNotModifiedOverTheWire) {
    FakeProvider provider{make_noted_snapshot(3, 8000)};
    RunningServer server{provider};
    Client client{server.port()};
    const HttpResponse plain = client.get("/api/v1/snapshot");
    ASSERT_EQ(plain.result_int(), 200u);
    EXPECT_EQ(plain[bhttp::field::content_encoding], "");
    EXPECT_EQ(plain[bhttp::field::vary], "Accept-Encoding");
    EXPECT_EQ(plain[bhttp::field::etag], "\"s3-api\"");

    client.send_request("GET", "/api/v1/snapshot", true, {{"Accept-Encoding", "gzip, deflate"}});
    const HttpResponse packed = client.read();
    EXPECT_EQ(packed[bhttp::field::content_encoding], "gzip");
    EXPECT_LT(packed.body().size(), plain.body().size());
    EXPECT_EQ(testing::gunzip(packed.body()), plain.body());

    client.send_request("GET", "/api/v1/snapshot", true, {{"Accept-Encoding", "gzip;q=0"}});
    EXPECT_EQ(client.read().body(), plain.body());

    client.send_request("GET", "/api/v1/snapshot", true, {{"If-None-Match", "\"s3-api\""}});
    const HttpResponse not_modified = client.read();
    EXPECT_EQ(not_modified.result_int(), 304u);
    EXPECT_TRUE(not_modified.body().empty());
    EXPECT_EQ(client.get("/query").result_int(), 200u);  // still in step after the body-less 304
}

TEST(Server, MetricsOverTheWire) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    Client client{server.port()};
    const HttpResponse response = client.get("/metrics");
    EXPECT_EQ(response.result_int(), 200u);
    EXPECT_EQ(response[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(response.body().find("cmon_collection_paused"), std::string::npos);
}

// A raw reader of an event stream: accumulates what arrives, with deadlines instead of blocking reads.
class StreamClient : public testing::DeadlineSocket {
public:
    // receive_buffer > 0 shrinks SO_RCVBUF before connecting (a slow reader's small window).
    explicit StreamClient(std::uint16_t port, int receive_buffer = 0) {
        socket_.open(tcp::v4());
        if (receive_buffer > 0) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        const std::string request =
            "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
        asio::write(socket_, asio::buffer(request));
    }

    // Reads until `done(text())` holds; false at the deadline or end of stream.
    template <class Predicate>
    bool read_until_match(Predicate done, std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done(text_)) {
            if (eof_) return done(text_);
            const Read got = read_some(deadline);
            eof_ = got == Read::closed;
            if (got != Read::data) return done(text_);
        }
        return true;
    }
    bool read_until(std::string_view needle, std::chrono::milliseconds timeout = 5000ms) {
        return read_until_match([needle](const std::string& text) { return text.find(needle) != std::string::npos; },
                                timeout);
    }
    // Whatever arrives within `duration`.
    void read_for(std::chrono::milliseconds duration) {
        read_until_match([](const std::string&) { return false; }, duration);
    }
    // True when the server closed the stream within `timeout`.
    bool read_to_eof(std::chrono::milliseconds timeout) {
        read_until_match([](const std::string&) { return false; }, timeout);
        return eof_;
    }
    // The complete snapshot frame for `sequence`, empty until it has fully arrived.
    std::string frame(std::uint64_t sequence) const {
        const std::string head = "id: " + std::to_string(sequence) + "\nevent: snapshot\ndata: ";
        const std::size_t start = text_.find(head);
        if (start == std::string::npos) return {};
        const std::size_t end = text_.find("\n\n", start);
        return end == std::string::npos ? std::string{} : text_.substr(start, end + 2 - start);
    }
    bool read_frame(std::uint64_t sequence, std::chrono::milliseconds timeout = 5000ms) {
        return read_until_match([&](const std::string&) { return !frame(sequence).empty(); }, timeout);
    }
    std::uint16_t local_port() const { return socket_.local_endpoint().port(); }
    // SO_RCVBUF as the kernel set it (it doubles what was asked for, within its limits).
    std::size_t receive_buffer() const {
        asio::socket_base::receive_buffer_size option;
        socket_.get_option(option);
        return static_cast<std::size_t>(option.value());
    }

private:
    bool eof_ = false;
};

// The TCP state (/proc/net/tcp "st": 01 established, 04 FIN_WAIT1, ...) of the IPv4 socket from
// local_port to remote_port; nullopt when there is none.
std::optional<int> tcp_state(std::uint16_t local_port, std::uint16_t remote_port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        auto port = [](const std::string& address) {
            return static_cast<std::uint16_t>(std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
        };
        if (port(local) == local_port && port(remote) == remote_port) return std::stoi(state, nullptr, 16);
    }
    return std::nullopt;
}

// Polls `condition` until it holds or `timeout` passes; whether it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::size_t count(const std::string& text, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(EventStream, FirstFrameAtOnceThenOnePerPublish) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider};
    StreamClient client{server.port()};
    ASSERT_TRUE(client.read_frame(1)) << client.text();
    const std::string& text = client.text();
    EXPECT_EQ(text.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << text;
    EXPECT_NE(text.find("Content-Type: text/event-stream\r\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Cache-Control: no-store\r\n"), std::string::npos) << text;
    EXPECT_NE(text.find("X-Accel-Buffering: no\r\n"), std::string::npos) << text;
    const std::size_t body = text.find("\r\n\r\n");
    ASSERT_NE(body, std::string::npos);
    EXPECT_EQ(text.substr(body + 4, 13), "retry: 3000\n\n");
    EXPECT_EQ(text.find("id: 1\n"), body + 4 + 13);  // the snapshot right after, without waiting
    EXPECT_NE(client.frame(1).find("\"title\":\"test\""), std::string::npos);

    provider.publish(make_snapshot(2));
    ASSERT_TRUE(client.read_frame(2)) << client.text();
    provider.publish(make_snapshot(3));
    ASSERT_TRUE(client.read_frame(3)) << client.text();
    EXPECT_EQ(count(client.text(), "event: snapshot"), 3u);
}

TEST(EventStream, WaitsForTheFirstSnapshot) {
    FakeProvider provider;
    RunningServer server{provider};
    StreamClient client{server.port()};
    ASSERT_TRUE(client.read_until("retry: 3000\n\n"));
    provider.publish(make_snapshot(1));
    EXPECT_TRUE(client.read_frame(1)) << client.text();
}

TEST(EventStream, TwoClientsGetIdenticalFramesSerializedOnce) {
    FakeProvider provider{make_noted_snapshot(1, 3000)};
    RunningServer server{provider};
    StreamClient a{server.port()};
    StreamClient b{server.port()};
    ASSERT_TRUE(a.read_frame(1));
    ASSERT_TRUE(b.read_frame(1));
    provider.publish(make_noted_snapshot(2, 3000));
    ASSERT_TRUE(a.read_frame(2));
    ASSERT_TRUE(b.read_frame(2));
    EXPECT_EQ(a.frame(1), b.frame(1));
    EXPECT_EQ(a.frame(2), b.frame(2));
    // One API JSON and one frame per snapshot, whatever the number of streams.
    EXPECT_EQ(server.router().serializations(), 4u);
}

TEST(EventStream, ClientThatNeverReadsDoesNotStallOthersAndIsDropped) {
    ServerOptions options = test_options();
    options.write_timeout = 1s;
    options.event_send_buffer = 64 * 1024;
    // Frames larger than everything the kernel can hold between the two ends (the stuck client's receive
    // buffer and the server's send buffer, both fixed, so no autotuning; the kernel doubles what is set),
    // whatever this machine's defaults: the server's write of the first one blocks for good.
    constexpr int kStuckReceiveBuffer = 4096;
    std::size_t stuck_receive_buffer = 0;
    {
        asio::io_context io;
        tcp::socket probe(io, tcp::v4());
        probe.set_option(asio::socket_base::receive_buffer_size(kStuckReceiveBuffer));
        asio::socket_base::receive_buffer_size got;
        probe.get_option(got);
        stuck_receive_buffer = static_cast<std::size_t>(got.value());
    }
    const std::size_t frame_size = 4 * (stuck_receive_buffer + 2 * options.event_send_buffer);
    FakeProvider provider{make_noted_snapshot(1, frame_size)};
    RunningServer server{provider, options};
    StreamClient stuck{server.port(), kStuckReceiveBuffer};
    ASSERT_EQ(stuck.receive_buffer(), stuck_receive_buffer);
    ASSERT_EQ(tcp_state(server.port(), stuck.local_port()), 1) << "the server's end of the stuck stream";
    StreamClient live{server.port()};
    ASSERT_TRUE(live.read_frame(1));
    for (std::uint64_t sequence = 2; sequence <= 16; ++sequence) {
        provider.publish(make_noted_snapshot(sequence, frame_size));
        ASSERT_TRUE(live.read_frame(sequence, 5000ms)) << "live client stalled at " << sequence;
    }
    // The stuck client's write times out and the server closes its end, which leaves ESTABLISHED (its
    // unsent bytes keep it in FIN_WAIT1). Waited for without reading: a read would unblock the write.
    EXPECT_TRUE(eventually([&] { return tcp_state(server.port(), stuck.local_port()) != 1; },
                           options.write_timeout * 20))
        << "the server never closed the stream of a client that stopped reading";
    // What was buffered drains, then end of stream (without the drop, heartbeats would keep it open).
    EXPECT_TRUE(stuck.read_to_eof(10000ms)) << stuck.text().size() << " bytes arrived";
    EXPECT_TRUE(stuck.frame(16).empty());  // it was dropped long before the last publish
}

TEST(EventStream, PausedEventIsSentOnce) {
    FakeProvider provider{make_snapshot(1)};
    provider.set_paused(true);
    ServerOptions options = test_options();
    options.stream_touch_interval = 50ms;
    options.heartbeat_interval = 50ms;
    RunningServer server{provider, options};
    StreamClient client{server.port()};
    ASSERT_TRUE(client.read_until("event: paused\ndata: {\"paused\":true}\n\n")) << client.text();
    // Several pump ticks that still see "paused" (touches), then heartbeats written after them: a repeated
    // paused event, written by the stream when a tick woke it, would have arrived before those heartbeats.
    const int touched = provider.touches();
    ASSERT_TRUE(eventually([&] { return provider.touches() >= touched + 4; })) << provider.touches();
    const std::size_t heartbeats = count(client.text(), ": keep-alive\n\n");
    ASSERT_TRUE(client.read_until_match(
        [&](const std::string& text) { return count(text, ": keep-alive\n\n") >= heartbeats + 2; }, 10000ms))
        << client.text();
    EXPECT_EQ(count(client.text(), "event: paused"), 1u) << client.text();
}

TEST(EventStream, OpenStreamKeepsTouchingTheProviderAndHeartbeats) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.stream_touch_interval = 100ms;
    options.heartbeat_interval = 200ms;
    RunningServer server{provider, options};
    {
        StreamClient client{server.port()};
        ASSERT_TRUE(client.read_frame(1));
        const int before = provider.touches();
        ASSERT_TRUE(client.read_until(": keep-alive\n\n", 10000ms)) << client.text();
        EXPECT_TRUE(eventually([&] { return provider.touches() - before >= 5; }))
            << "touches while the stream was open: " << provider.touches() - before;
    }
    // The stream is gone; the next heartbeat writes fail, the stream ends, and so does the touching: within
    // the deadline, a quiet spell of ten touch intervals without a touch.
    EXPECT_TRUE(eventually([&] { return provider.since_last_touch() >= options.stream_touch_interval * 10; }))
        << "the provider is still touched after the only stream closed";
}

TEST(Server, TheSweepKeepsNoDeadlineOfAConnectionThatIsGone) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    // Deadlines far away: only one dropped with its connection can disarm the sweep within the test.
    options.read_timeout = std::chrono::hours(1);
    options.write_timeout = std::chrono::hours(1);
    options.idle_timeout = std::chrono::hours(1);
    RunningServer server{provider, options};
    {
        Client client{server.port()};
        EXPECT_EQ(client.get("/query").result_int(), 200u);
        // Kept alive: the connection waits for its next request, within the idle timeout.
        EXPECT_TRUE(eventually([&] { return server.server().sweep_armed(); }));
    }
    // A closed connection's last deadline is the 2 s drain of Session::finish, so this holds within the
    // wait even without the change (the sweep then wakes for it): a step to a known state, not the proof.
    EXPECT_TRUE(eventually([&] { return !server.server().sweep_armed(); }));
    // The proof: a frame's write deadline is an hour away, and only dropping it disarms the sweep.
    {
        StreamClient stream{server.port()};
        ASSERT_TRUE(stream.read_frame(1));
        // Between frames a stream has no deadline (the heartbeat finds a vanished peer).
        EXPECT_TRUE(eventually([&] { return !server.server().sweep_armed(); }))
            << "the sweep still waits for the write deadline of a frame sent";
    }
}

TEST(EventStream, EachPublishTouchesSoTheTouchNeedsNoWakeOfItsOwn) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.stream_touch_interval = std::chrono::hours(1);  // the timer never touches within the test
    options.heartbeat_interval = std::chrono::hours(1);
    RunningServer server{provider, options};
    StreamClient client{server.port()};
    ASSERT_TRUE(client.read_frame(1));
    ASSERT_TRUE(eventually([&] { return provider.touches() >= 1; }));  // the pump's first round
    const int before = provider.touches();
    for (std::uint64_t sequence = 2; sequence <= 4; ++sequence) {
        provider.publish(make_snapshot(sequence));
        ASSERT_TRUE(client.read_frame(sequence)) << client.text();
        // Each publish round touched (requests do not touch here: the stream's own request came before).
        // Waited for before the next publish: publishes close together may be seen as one round.
        const int want = before + static_cast<int>(sequence) - 1;
        EXPECT_TRUE(eventually([&] { return provider.touches() >= want; }))
            << "touches after publish " << sequence << ": " << provider.touches() - before;
    }
}

// Publishes until the stream is handed over and the pump no longer asks for publishes to ring: a publish
// that the publisher sent itself without an eventfd write. From then on nothing wakes the network thread
// (with the touch and heartbeat intervals far away), so the stream stays handed over. provider.publish()
// runs the listeners on this thread, as the sampler's thread does: a frame the publisher sent is counted
// before it returns. Returns whether that happened within the deadline; `sequence` is the last published.
bool settle_direct(FakeProvider& provider, const Server& wire, StreamClient& client, std::uint64_t& sequence,
                   std::size_t note_size = 0) {
    return eventually([&] {
        const std::uint64_t rings = wire.publish_rings();
        const std::uint64_t direct = wire.direct_frames();
        ++sequence;
        provider.publish(note_size > 0 ? make_noted_snapshot(sequence, note_size) : make_snapshot(sequence));
        return client.read_frame(sequence) && wire.publish_rings() == rings && wire.direct_frames() == direct + 1;
    });
}

TEST(EventStream, FramesComeFromThePublishingThreadAndPublishesRingNobody) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.stream_touch_interval = std::chrono::hours(1);  // no timer round of the pump within the test
    options.heartbeat_interval = std::chrono::hours(1);
    RunningServer server{provider, options};
    const Server& wire = server.server();
    StreamClient client{server.port()};
    ASSERT_TRUE(client.read_frame(1));
    // Until the stream is handed over (and the pump has seen that), a publish may still ring.
    std::uint64_t sequence = 1;
    ASSERT_TRUE(settle_direct(provider, wire, client, sequence))
        << "rings " << wire.publish_rings() << ", direct frames " << wire.direct_frames();
    const std::uint64_t rings = wire.publish_rings();
    const std::uint64_t direct = wire.direct_frames();
    for (int i = 0; i < 5; ++i) {
        provider.publish(make_snapshot(++sequence));
        ASSERT_TRUE(client.read_frame(sequence)) << client.text();
    }
    EXPECT_EQ(wire.direct_frames(), direct + 5);
    EXPECT_EQ(wire.publish_rings(), rings) << "publishes woke the network thread";
    EXPECT_EQ(count(client.text(), "event: snapshot"), sequence);  // each once, none lost or repeated
}

TEST(EventStream, AFrameTheSocketCouldNotTakeAtOnceArrivesWholeAndTheStreamGoesOn) {
    ServerOptions options = test_options();
    options.event_send_buffer = 16 * 1024;
    options.stream_touch_interval = std::chrono::hours(1);
    options.heartbeat_interval = std::chrono::hours(1);
    const std::size_t big = 1 << 20;  // far more than both ends' buffers hold
    FakeProvider provider{make_noted_snapshot(1, 100)};
    RunningServer server{provider, options};
    const Server& wire = server.server();
    StreamClient client{server.port(), 4096};
    ASSERT_TRUE(client.read_frame(1));
    std::uint64_t sequence = 1;
    ASSERT_TRUE(settle_direct(provider, wire, client, sequence, 100)) << "the stream was never handed over";
    provider.publish(make_noted_snapshot(++sequence, big));
    EXPECT_EQ(wire.direct_handed_back(), 1u) << "the publisher sent a 1-MB frame at once";
    const std::string expected = server.router().latest_event().text();
    ASSERT_TRUE(client.read_frame(sequence, 10000ms)) << client.text().size() << " bytes";
    EXPECT_EQ(client.frame(sequence), expected);
    provider.publish(make_noted_snapshot(++sequence, 100));
    ASSERT_TRUE(client.read_frame(sequence)) << client.text().substr(client.text().size() - 200);
    EXPECT_EQ(count(client.text(), "event: snapshot"), sequence);
}

TEST(EventStream, AStreamWhoseClientLeftLeavesThePublisher) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.stream_touch_interval = std::chrono::hours(1);
    options.heartbeat_interval = std::chrono::hours(1);
    RunningServer server{provider, options};
    const Server& wire = server.server();
    std::uint64_t sequence = 1;
    {
        StreamClient client{server.port()};
        ASSERT_TRUE(client.read_frame(1));
        ASSERT_TRUE(settle_direct(provider, wire, client, sequence)) << "the stream was never handed over";
        EXPECT_EQ(wire.direct_streams(), 1u);
    }
    // The publisher's next sends fail (reset, or a first one into the closed peer): it hands the stream
    // back, the session ends and takes its stream out of the publisher's list before closing the socket.
    EXPECT_TRUE(eventually([&] {
        provider.publish(make_snapshot(++sequence));
        return wire.direct_streams() == 0;
    })) << "the publisher still lists the stream of a client that left";
    EXPECT_GE(wire.direct_handed_back(), 1u);
}

TEST(EventStream, StopEndsOpenStreams) {
    FakeProvider provider{make_snapshot(1)};
    ServerOptions options = test_options();
    options.heartbeat_interval = std::chrono::hours(1);
    options.write_timeout = std::chrono::hours(1);
    auto server = std::make_unique<RunningServer>(provider, options);
    StreamClient client{server->port()};
    ASSERT_TRUE(client.read_frame(1));
    EXPECT_TRUE(stops_within(*server, 60s)) << "stop() waited for the open stream";
    EXPECT_TRUE(client.read_to_eof(10000ms));
}


// One request on its own connection ("Connection: close"), read as raw bytes until the server closes.
class RawExchange : public testing::DeadlineSocket {
public:
    RawExchange(std::uint16_t port, std::string_view method, std::string_view target,
                std::string_view extra_headers = {}) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        request.append(extra_headers).append("Connection: close\r\n\r\n");
        asio::write(socket_, asio::buffer(request));
    }
    // Everything up to the server's close; the text read so far when the deadline passes first.
    const std::string& all(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (read_some(deadline) == Read::data) {
        }
        return text_;
    }
    // The head only (up to and with the blank line), for responses that do not end (event streams).
    std::string head(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (text_.find("\r\n\r\n") == std::string::npos && read_some(deadline) == Read::data) {
        }
        const std::size_t end = text_.find("\r\n\r\n");
        return end == std::string::npos ? text_ : text_.substr(0, end + 4);
    }
};

std::string head_of(const std::string& response) {
    const std::size_t end = response.find("\r\n\r\n");
    return end == std::string::npos ? response : response.substr(0, end + 4);
}

// HEAD of every route: byte for byte the head GET gets, then nothing (the server closes right after).
TEST(Server, HeadOfEveryRouteIsTheGetHeadWithoutBody) {
    FakeProvider provider{make_snapshot(4)};
    const cmon::testing::FakeClock clock;  // a still clock: /healthz's age, and so its length, stays put
    RouterOptions router_options = testing::page_options();
    router_options.clock = &clock;
    RunningServer server{provider, test_options(), router_options};
    for (const char* target : {"/", "/query", "/healthz", "/metrics", "/api/v1/snapshot", "/api/v1/history",
                               "/missing", "/%zz", "/api/v1/events"}) {
        const bool stream = std::string_view(target) == "/api/v1/events";
        RawExchange get{server.port(), "GET", target};
        const std::string get_head = stream ? get.head() : head_of(get.all());
        RawExchange head{server.port(), "HEAD", target};
        const std::string& head_text = head.all();
        ASSERT_NE(get_head.find("\r\n\r\n"), std::string::npos) << target;
        EXPECT_EQ(head_text, get_head) << target;
        if (!stream) {
            EXPECT_GT(get.text().size(), get_head.size()) << target << ": GET had a body to leave out";
        }
    }
}

TEST(Server, ProbesAndHeadAnswerWithoutWakingCollection) {
    FakeProvider provider{make_snapshot(5)};
    provider.set_touch_result(true);  // as if paused: a touch would wake collection and wait
    provider.set_paused(true);
    ServerOptions options = test_options();
    options.fresh_wait = 60s;  // a request that waited would time the test out, not pass it
    RunningServer server{provider, options};
    Client client{server.port()};
    const HttpResponse health = client.get("/healthz");
    EXPECT_EQ(health.result_int(), 200u);
    EXPECT_NE(health.body().find("\"paused\":true"), std::string::npos) << health.body();
    EXPECT_NE(health.body().find("\"sequence\":5"), std::string::npos) << health.body();
    EXPECT_EQ(client.get("/%68ealthz").result_int(), 200u);
    for (const char* target : {"/", "/query", "/metrics", "/api/v1/snapshot"}) {
        client.send_request("HEAD", target);
        EXPECT_EQ(client.read(true).result_int(), 200u) << target;
    }
    RawExchange stream_head{server.port(), "HEAD", "/api/v1/events"};
    EXPECT_EQ(stream_head.all().rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << stream_head.text();
    EXPECT_EQ(provider.touches(), 0);
    // A viewer wakes it (and, paused, waits for the fresh snapshot: published here on the touch).
    provider.set_on_touch([&] { provider.publish(make_snapshot(6)); });
    EXPECT_EQ(client.get("/query").result_int(), 200u);
    EXPECT_EQ(provider.touches(), 1);
    EXPECT_EQ(provider.last_sequence_read(), 6u);
}

ServerOptions with_token(const std::string& token) {
    ServerOptions options = test_options();
    AuthOptions auth;
    auth.token = token;
    options.auth = std::make_shared<const Authenticator>(std::move(auth));
    return options;
}

model::SnapshotPtr failing_docker_snapshot() {
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = 8;
    snapshot->sources.push_back({"docker", false, "docker: GET /containers/json: connection refused", "", std::nullopt});
    return snapshot;
}

// Access is decided once, on the decoded path: an encoded spelling gets the plain path's answer.
TEST(ServerAccess, PercentEncodedPathsGetThePlainPathsDecision) {
    FakeProvider provider{failing_docker_snapshot()};
    const cmon::testing::FakeClock clock;  // /healthz answers compared byte for byte: its age stays put
    RouterOptions router_options = testing::page_options();
    router_options.clock = &clock;
    RunningServer server{provider, with_token("secret-token-0123456789"), router_options};
    const std::string bearer = "Authorization: Bearer secret-token-0123456789\r\n";
    for (const auto& [plain, encoded] : std::vector<std::pair<std::string, std::string>>{
             {"/healthz", "/%68ealthz"}, {"/api/v1/snapshot", "/api/v1/%73napshot"}, {"/query", "/%71uery"}}) {
        RawExchange a{server.port(), "GET", plain};
        RawExchange b{server.port(), "GET", encoded};
        EXPECT_EQ(b.all(), a.all()) << encoded;  // same status, headers and body
        RawExchange c{server.port(), "GET", plain, bearer};
        RawExchange d{server.port(), "GET", encoded, bearer};
        EXPECT_EQ(head_of(d.all()).substr(0, 15), "HTTP/1.1 200 OK") << encoded;
        EXPECT_EQ(head_of(c.all()).substr(0, 15), "HTTP/1.1 200 OK") << plain;
    }
    RawExchange denied{server.port(), "GET", "/api/v1/%73napshot"};
    EXPECT_EQ(denied.all().rfind("HTTP/1.1 401 ", 0), 0u) << denied.text();
}

TEST(ServerAccess, AnonymousHealthzHasNoSourceDetails) {
    FakeProvider provider{failing_docker_snapshot()};
    RunningServer server{provider, with_token("secret-token-0123456789")};
    for (const char* target : {"/healthz", "/%68ealthz"}) {
        RawExchange anonymous{server.port(), "GET", target};
        const std::string& text = anonymous.all();
        EXPECT_EQ(text.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << text;
        EXPECT_EQ(text.find("sources"), std::string::npos) << text;
        EXPECT_EQ(text.find("refused"), std::string::npos) << text;
        EXPECT_NE(text.find("\"status\":\"degraded\""), std::string::npos) << text;
    }
    RawExchange wrong{server.port(), "GET", "/healthz", "Authorization: Bearer wrong\r\n"};
    EXPECT_EQ(wrong.all().find("refused"), std::string::npos) << wrong.text();
    RawExchange known{server.port(), "GET", "/healthz", "Authorization: Bearer secret-token-0123456789\r\n"};
    EXPECT_NE(known.all().find("docker: GET /containers/json: connection refused"), std::string::npos)
        << known.text();
    EXPECT_EQ(provider.touches(), 0);
}

TEST(ServerAccess, HeadOfADenialIsTheGetDenialsHead) {
    FakeProvider provider{make_snapshot(1)};
    RunningServer server{provider, with_token("secret-token-0123456789")};
    for (const char* target : {"/query", "/api/v1/events", "/"}) {
        RawExchange get{server.port(), "GET", target};
        RawExchange head{server.port(), "HEAD", target};
        const std::string& get_text = get.all();
        EXPECT_EQ(get_text.rfind("HTTP/1.1 401 ", 0), 0u) << get_text;
        EXPECT_EQ(head.all(), head_of(get_text)) << target;
    }
}

}  // namespace
}  // namespace cmon::http
