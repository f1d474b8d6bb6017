// DirectStreams: the publisher's pass over the handed-over event streams, and the hand-over itself.
#include "http/direct_streams.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <utility>

namespace cmon::http {
namespace {

// The frame's bytes from `sent` on, copied once.
std::string rest_of(const std::string_view (&pieces)[3], std::size_t sent) {
    std::string rest;
    for (const std::string_view piece : pieces) {
        if (sent >= piece.size()) {
            sent -= piece.size();
            continue;
        }
        rest.append(piece.substr(sent));
        sent = 0;
    }
    return rest;
}

}  // namespace

DirectStreams::DirectStreams(const Router& router, sampling::SnapshotProvider& provider, std::function<void()> waker)
    : router_(router), provider_(provider), waker_(std::move(waker)) {}

std::shared_ptr<DirectStreams::Stream> DirectStreams::add(int fd, bool deltas) {
    auto stream = std::make_shared<Stream>(fd, deltas);
    std::lock_guard lock(mutex_);
    streams_.push_back(stream);
    return stream;
}

void DirectStreams::remove(Stream& stream) {
    std::lock_guard lock(mutex_);
    stream.direct_ = false;
    stream.fd_ = -1;
    std::erase_if(streams_, [&](const std::shared_ptr<Stream>& s) { return s.get() == &stream; });
}

DirectStreams::Handover DirectStreams::hand_over(Stream& stream, Progress progress) {
    std::lock_guard lock(mutex_);
    if (closed_ || stream.fd_ < 0) return Handover::refused;
    // Under the mutex the publisher holds for its whole pass, which starts after the snapshot is
    // stored: either that pass comes after this (and sees the stream) or this sees its snapshot.
    const model::SnapshotPtr latest = provider_.latest();
    if (latest && (!progress.sent_any || latest->sequence != progress.sent_sequence)) return Handover::send_first;
    stream.state_ = Returned{progress, false, {}};
    stream.direct_ = true;
    return Handover::direct;
}

DirectStreams::Returned DirectStreams::take_back(Stream& stream) {
    std::lock_guard lock(mutex_);
    stream.direct_ = false;
    Returned returned = std::move(stream.state_);
    stream.state_ = Returned{returned.progress, false, {}};
    return returned;
}

void DirectStreams::publish() {
    bool any = false;
    bool handed_back = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        for (const auto& stream : streams_) {
            if (!stream->direct_) continue;
            any = true;
            if (!send(*stream)) handed_back = true;
        }
    }
    // Somebody watches: collection must not pause. The pump touches at each publish it sees; it does
    // not see these (PublishSignal rings nobody).
    if (any) provider_.touch();
    if (handed_back) waker_();
}

bool DirectStreams::send(Stream& stream) {
    Progress& progress = stream.state_.progress;
    const EventFrame frame =
        router_.latest_event(stream.deltas_ && progress.sent_any ? std::optional(progress.sent_sequence) : std::nullopt);
    if (frame.empty() || (progress.sent_any && frame.sequence == progress.sent_sequence)) return true;
    const std::string_view pieces[3] = {*frame.head, frame.data ? std::string_view(*frame.data) : std::string_view(),
                                        frame.tail};
    iovec vectors[3];
    for (int i = 0; i < 3; ++i) vectors[i] = {const_cast<char*>(pieces[i].data()), pieces[i].size()};
    msghdr message{};
    message.msg_iov = vectors;
    message.msg_iovlen = 3;
    const ssize_t sent = ::sendmsg(stream.fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    progress.sent_any = true;
    progress.sent_sequence = frame.sequence;
    if (sent >= 0 && static_cast<std::size_t>(sent) == frame.size()) {
        frames_sent_.fetch_add(1);
        return true;
    }
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        stream.state_.failed = true;
    } else {
        // A client slower than the publishes (or a full buffer): the session writes the rest with its
        // write timeout, then takes whatever is newest.
        stream.state_.rest = rest_of(pieces, sent > 0 ? static_cast<std::size_t>(sent) : 0);
    }
    stream.direct_ = false;
    handed_back_.fetch_add(1);
    return false;
}

std::size_t DirectStreams::size() {
    std::lock_guard lock(mutex_);
    return streams_.size();
}

void DirectStreams::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
}

}  // namespace cmon::http
