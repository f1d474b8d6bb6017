#include "sources/docker/event_stream_decoder.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

namespace cmon::sources {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// A chunk-size line's size ("1a2", "1a2;ext=x"); nullopt when it is not one.
std::optional<std::size_t> chunk_size_of(std::string_view line) {
    line = line.substr(0, line.find(';'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    std::size_t size = 0;
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || error != std::errc() || end != line.data() + line.size()) return std::nullopt;
    return size;
}

}  // namespace

void EventStreamDecoder::fail(std::string why) {
    state_ = State::failed;
    reason_ = std::move(why);
    pending_.clear();
    line_.clear();
}

std::vector<DockerEvent> EventStreamDecoder::feed(std::string_view bytes) {
    std::vector<DockerEvent> out;
    if (state_ == State::head) {
        pending_.append(bytes);
        // The same limit whether the head came at once or in pieces.
        const auto end = pending_.find("\r\n\r\n");
        if (end == std::string::npos ? pending_.size() >= kMaxHead : end + 4 > kMaxHead) {
            fail("the response head is longer than 64 KiB");
            return out;
        }
        if (end == std::string::npos) return out;
        const std::string rest = pending_.substr(end + 4);
        pending_.resize(end + 2);  // the head's lines, each ending in CRLF
        read_head();
        if (state_ != State::failed) body_bytes(rest, out);
        return out;
    }
    body_bytes(bytes, out);
    return out;
}

void EventStreamDecoder::read_head() {
    const std::string head = std::exchange(pending_, {});
    // "HTTP/1.1 200 OK"
    const auto first_end = head.find("\r\n");
    const std::string_view status_line = std::string_view(head).substr(0, first_end);
    const auto space = status_line.find(' ');
    unsigned status = 0;
    if (status_line.starts_with("HTTP/") && space != std::string_view::npos && status_line.size() >= space + 4) {
        const char* begin = status_line.data() + space + 1;
        const auto [end, error] = std::from_chars(begin, begin + 3, status);
        if (error != std::errc() || end != begin + 3) status = 0;
    }
    if (status == 0) return fail("not an HTTP response");
    status_ = status;
    if (status != 200) return fail("HTTP " + std::to_string(status));
    bool chunked = false;
    for (std::size_t at = first_end + 2; at < head.size();) {
        const auto end = head.find("\r\n", at);
        const std::string field = lower(std::string_view(head).substr(at, end - at));
        if (field.starts_with("transfer-encoding:") && field.find("chunked") != std::string::npos) chunked = true;
        at = end + 2;
    }
    // Without chunks (HTTP/1.0, a proxy that buffers) the body runs until the connection closes.
    state_ = chunked ? State::chunk_size : State::until_close;
}

void EventStreamDecoder::body_bytes(std::string_view data, std::vector<DockerEvent>& out) {
    auto lines = [&](std::string_view text) {
        for (auto newline = text.find('\n'); newline != std::string_view::npos; newline = text.find('\n')) {
            line_.append(text.substr(0, newline));
            text.remove_prefix(newline + 1);
            if (line_.size() > kMaxLine) return fail("an event line longer than 1 MiB");
            if (line_.find_first_not_of(" \t\r") != std::string::npos) {
                for (auto& event : parse_events(line_)) out.push_back(std::move(event));
            }
            line_.clear();
        }
        line_.append(text);
        if (line_.size() > kMaxLine) fail("an event line longer than 1 MiB");
    };
    while (!data.empty() && state_ != State::failed && state_ != State::ended) {
        switch (state_) {
            case State::chunk_size: {
                const auto newline = data.find('\n');
                pending_.append(data.substr(0, newline));
                if (pending_.size() > 1024) return fail("a chunk-size line longer than 1 KiB");
                if (newline == std::string_view::npos) return;
                data.remove_prefix(newline + 1);
                std::string_view line = pending_;
                if (line.ends_with('\r')) line.remove_suffix(1);
                const auto size = chunk_size_of(line);
                pending_.clear();
                if (!size) return fail("a malformed chunk size");
                if (*size == 0) {
                    state_ = State::ended;  // the terminal chunk: the daemon ended the stream
                    reason_ = "the daemon ended the stream";
                    return;
                }
                chunk_left_ = *size;
                state_ = State::chunk_data;
                break;
            }
            case State::chunk_data: {
                const std::size_t n = std::min(chunk_left_, data.size());
                lines(data.substr(0, n));
                data.remove_prefix(n);
                chunk_left_ -= n;
                if (chunk_left_ == 0 && state_ != State::failed) state_ = State::chunk_end;
                break;
            }
            case State::chunk_end: {
                const char c = data.front();
                data.remove_prefix(1);
                if (c == '\n') {
                    state_ = State::chunk_size;
                } else if (c != '\r') {
                    return fail("a chunk not followed by CRLF");
                }
                break;
            }
            case State::until_close:
                lines(data);
                return;
            case State::head:
            case State::ended:
            case State::failed:
                return;
        }
    }
}

}  // namespace cmon::sources
