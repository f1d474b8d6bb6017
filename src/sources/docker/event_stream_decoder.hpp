// EventStreamDecoder: the bytes of an unbounded GET /events response (HTTP/1.1 head, then a chunked or
// until-close body of one JSON object per line) turned into events as they arrive, in pieces of any size.
// Pure: no I/O (EventStream owns the socket).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sources/docker/docker_json_parser.hpp"

namespace cmon::sources {

class EventStreamDecoder {
public:
    // A line (one event) longer than this, or a head longer than kMaxHead, fails the stream: dockerd's
    // events are a few hundred bytes, a few KB with many labels.
    static constexpr std::size_t kMaxLine = 1u << 20;
    static constexpr std::size_t kMaxHead = 64u << 10;

    // The events whose lines were completed by `bytes` (parse_events: lines that are not events are
    // skipped). Nothing once failed().
    std::vector<DockerEvent> feed(std::string_view bytes);

    // The head was read and said 200.
    bool streaming() const { return status_ == 200 && state_ != State::failed && state_ != State::ended; }
    // The response is not a stream of events (another status, a malformed head or chunk, a line over
    // the limit) or its body ended (the terminal chunk): nothing more will come of it.
    bool failed() const { return state_ == State::failed; }
    bool ended() const { return state_ == State::ended; }
    // The response's status, once its head was read; 0 before.
    unsigned status() const { return status_; }
    // Why failed() or ended(), for the log.
    const std::string& reason() const { return reason_; }

private:
    enum class State { head, chunk_size, chunk_data, chunk_end, until_close, ended, failed };

    void fail(std::string why);
    void read_head();
    void body_bytes(std::string_view data, std::vector<DockerEvent>& out);

    State state_ = State::head;
    std::string pending_;      // head or chunk-size line not yet complete
    std::string line_;         // the event line not yet complete
    std::size_t chunk_left_ = 0;
    unsigned status_ = 0;
    std::string reason_;
};

}  // namespace cmon::sources
