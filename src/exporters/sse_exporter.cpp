#include "exporters/sse_exporter.hpp"

#include <charconv>
#include <cstring>

namespace cmon::exporters {

namespace {

std::string event_head(std::uint64_t sequence, std::string_view event) {
    std::string head = "id: ";
    char digits[24];
    head.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, sequence).ptr - digits));
    head.append("\nevent: ").append(event).append("\ndata: ");
    return head;
}

}  // namespace

std::string sse_snapshot_head(std::uint64_t sequence) { return event_head(sequence, "snapshot"); }

std::string sse_delta_head(std::uint64_t sequence) { return event_head(sequence, "delta"); }

bool is_one_sse_data_line(std::string_view json) {
    // Two vectorized scans: a few microseconds for the 67 KB snapshot at 100 containers.
    return std::memchr(json.data(), '\n', json.size()) == nullptr &&
           std::memchr(json.data(), '\r', json.size()) == nullptr;
}

std::string to_sse_snapshot_frame(std::uint64_t sequence, std::string_view json) {
    std::string frame = sse_snapshot_head(sequence);
    frame.reserve(frame.size() + json.size() + 16);
    // A bare "\r" ends a line for the client too; CRLF is one break.
    std::size_t start = 0;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c != '\n' && c != '\r') continue;
        frame.append(json.substr(start, i - start)).append("\ndata: ");
        if (c == '\r' && i + 1 < json.size() && json[i + 1] == '\n') ++i;
        start = i + 1;
    }
    frame.append(json.substr(start));
    frame.append(kSseFrameEnd);
    return frame;
}

}  // namespace cmon::exporters
