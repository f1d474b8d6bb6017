// Server: the HTTP listener. One io_context, run on the thread that calls run(); one coroutine Session
// per connection. Asio stays behind a pointer so callers (app/) do not compile Beast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "sampling/snapshot_provider.hpp"
#include "util/defaults.hpp"

namespace cmon::http {

class Authenticator;

struct ServerOptions {
    std::string bind{defaults::kBind};
    std::uint16_t port = defaults::kPort;
    // After a pause, how long a request waits for the fresh snapshot before answering with what exists.
    std::chrono::milliseconds fresh_wait{1500};
    // A request's header and body must arrive within this once its first byte came, however slowly
    // the client trickles them (slowloris).
    std::chrono::seconds read_timeout = defaults::kRequestTimeout;
    std::chrono::seconds idle_timeout = defaults::kIdleTimeout;   // keep-alive: waiting for the first byte of the next request
    std::chrono::seconds write_timeout = defaults::kWriteTimeout;  // also drops an event-stream client that stopped reading
    // SO_SNDBUF of event streams: bounds the kernel memory a client that stopped reading can pin (the
    // stream itself holds just the newest frame); 0 leaves the system's autotuning.
    std::size_t event_send_buffer = 64 * 1024;
    // While an event stream is open, the provider is touched this often (collection must not pause).
    std::chrono::milliseconds stream_touch_interval = defaults::kStreamTouchInterval;
    std::chrono::milliseconds heartbeat_interval = defaults::kHeartbeatInterval;  // ": keep-alive" comments on event streams
    // The collection's idle pause (zero: never): while the sampler itself feeds every stream, the
    // pump's touches must still come well within it (EventHub).
    std::chrono::milliseconds idle_pause = defaults::kIdlePause;
    // Plain-TCP event streams get their frames from the sampler's thread (DirectStreams) instead of
    // a wake of the network thread per publish. Off: every frame goes through the network thread.
    bool direct_streams = true;
    std::size_t max_connections = defaults::kMaxConnections;  // past this, new connections are accepted and closed at once
    bool handle_signals = true;          // SIGINT/SIGTERM stop run()
    // Access control: null serves everyone. TLS: a PEM certificate chain and key (both or neither);
    // empty serves plain HTTP.
    std::shared_ptr<const Authenticator> auth;
    std::string tls_cert_file;
    std::string tls_key_file;
};

class Server {
public:
    Server(ServerOptions options, Router& router, sampling::SnapshotProvider& provider);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns the bound port (useful with port 0). Throws util::Error with one
    // readable line ("cannot listen on 0.0.0.0:727: address already in use (...)").
    std::uint16_t listen();
    // Serves on the calling thread until stop() or, with handle_signals, SIGINT/SIGTERM.
    void run();
    // Thread-safe; may be called before, during or after run().
    void stop();
    // Connections accepted so far (thread-safe): process housekeeping trims the heap after bursts.
    std::uint64_t accepted_connections() const;
    // Event frames the sampler's thread sent itself, streams it handed back to the network thread (a
    // send would block or failed), and publishes that rang the network thread (thread-safe; tests).
    std::uint64_t direct_frames() const;
    std::uint64_t direct_handed_back() const;
    std::size_t direct_streams() const;  // streams registered with the publisher now
    std::uint64_t publish_rings() const;
    // Whether the timeout sweep waits for some connection's deadline (tests: none is left once every
    // connection is idle or gone, so the server then wakes for nothing).
    bool sweep_armed() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cmon::http
