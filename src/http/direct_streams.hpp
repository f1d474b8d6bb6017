// DirectStreams: the sampler's thread sends each new snapshot's SSE frame to the plain-TCP event streams
// itself, right after it published the snapshot, with one non-blocking sendmsg per stream. The network
// thread then does not wake for a publish at all (with nobody else waiting for one: PublishSignal), which
// was a wake-up, an eventfd read, the pump's round and one coroutine resumption per stream each second.
//
// A stream is the network thread's or the publisher's, never both: the session hands it over when it has
// sent everything there is and would wait, and takes it back whenever the EventHub wakes it (heartbeat,
// pause, shutdown). The publisher hands a stream back (and rings the waker) when a send would block or
// failed: what a slow client did not take yet is kept as `rest`, and the session writes it with its write
// timeout as for any stream. TLS streams stay with the network thread (the TLS state is not shared).
//
// One mutex guards every stream's state and the registry: the publisher holds it for its whole pass,
// so a session that closes its socket (after remove(), under the same mutex) never races a send.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "sampling/snapshot_provider.hpp"

namespace cmon::http {

class DirectStreams {
public:
    // What a stream has sent, between the two owners.
    struct Progress {
        bool sent_any = false;
        std::uint64_t sent_sequence = 0;
    };
    // What the session finds when it takes a stream back.
    struct Returned {
        Progress progress;
        bool failed = false;  // the socket refused the bytes (reset, closed): end the stream
        std::string rest;     // the end of a frame the socket did not take yet: send it first
    };
    class Stream;

    // `waker` rings the network thread (PublishSignal::waker()); the router builds the frames.
    DirectStreams(const Router& router, sampling::SnapshotProvider& provider, std::function<void()> waker);
    DirectStreams(const DirectStreams&) = delete;
    DirectStreams& operator=(const DirectStreams&) = delete;

    // Network thread. A stream on `fd` (a connected, plain TCP socket); `deltas`: it takes delta frames.
    std::shared_ptr<Stream> add(int fd, bool deltas);
    // After this the publisher never touches the stream's descriptor again: call before closing it.
    void remove(Stream& stream);
    // Hands the stream to the publisher, which sends it every newer frame from now on (`direct`).
    // `send_first` when a newer snapshot than `progress` says was sent is out already: the session sends
    // that one itself first (a publish pass may have run just before, without this stream). `refused`
    // after remove() or close(): the session keeps the stream.
    enum class Handover { direct, send_first, refused };
    Handover hand_over(Stream& stream, Progress progress);
    // Takes the stream back (whether the publisher handed it back already or not).
    Returned take_back(Stream& stream);

    // Sampler thread, after the snapshot is published: the pass over the handed-over streams.
    void publish();
    // No more passes (the server is going; the provider may outlive it and call publish()).
    void close();

    // Frames sent whole by the publisher, and streams it handed back (tests and stats; any thread).
    std::uint64_t frames_sent() const { return frames_sent_.load(); }
    std::uint64_t handed_back() const { return handed_back_.load(); }
    // Streams added and not removed (tests).
    std::size_t size();

private:
    // Sends the newest frame to one stream; false when it was handed back.
    bool send(Stream& stream);

    const Router& router_;
    sampling::SnapshotProvider& provider_;
    const std::function<void()> waker_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<Stream>> streams_;  // added and not removed
    bool closed_ = false;
    std::atomic<std::uint64_t> frames_sent_{0};
    std::atomic<std::uint64_t> handed_back_{0};
};

class DirectStreams::Stream {
public:
    Stream(int fd, bool deltas) : fd_(fd), deltas_(deltas) {}

private:
    friend class DirectStreams;
    int fd_;  // -1 once removed
    const bool deltas_;
    bool direct_ = false;
    Returned state_;
};

}  // namespace cmon::http
