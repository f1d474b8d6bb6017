// EventStream: the daemon's event log followed as it happens. One GET /events?since=… (unbounded) kept
// open on the daemon's unix socket and read without waiting at each collect, instead of a bounded
// GET /events every few seconds: each of those was a new connection, a request and a wait on the sampler
// thread for the daemon's answer, where a followed stream costs one recv that finds nothing. The request
// comes from DockerRequest (the allowlist); the bytes are decoded by EventStreamDecoder.
#pragma once

#include <string>
#include <vector>

#include "sources/docker/docker_json_parser.hpp"
#include "sources/docker/event_stream_decoder.hpp"
#include "util/unique_fd.hpp"

namespace cmon::sources {

class EventStream {
public:
    EventStream() = default;  // none

    // Connects to the unix socket and sends GET `target`, without waiting for the answer. An empty
    // stream when the socket cannot be reached or the request cannot be sent at once.
    static EventStream open(const std::string& socket_path, const std::string& target);

    explicit operator bool() const { return static_cast<bool>(fd_); }
    // The daemon answered 200 and the events flow (what a read after open may not have seen yet).
    bool answered() const { return decoder_.streaming(); }

    struct Read {
        std::vector<DockerEvent> events;
        // Nothing more will come: the daemon closed the connection, ended or refused the stream, or sent
        // what is not one. `refused`: its head was not a 200 (a proxy that does not pass streams): not
        // worth asking again.
        bool over = false;
        bool refused = false;
        std::string reason;
    };
    // What arrived since the last read, never waiting. After `over` the stream is empty.
    Read read();

private:
    explicit EventStream(util::UniqueFd fd) : fd_(std::move(fd)) {}

    util::UniqueFd fd_;
    EventStreamDecoder decoder_;
};

}  // namespace cmon::sources
