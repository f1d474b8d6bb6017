#include "exporters/sse_exporter.hpp"

namespace cmon::exporters {

std::string to_sse_snapshot_frame(std::uint64_t sequence, std::string_view json) {
    std::string frame;
    frame.reserve(json.size() + 64);
    frame.append("id: ").append(std::to_string(sequence)).append("\nevent: snapshot\ndata: ");
    // The API JSON is one line (no pretty printing; newlines inside strings are escaped): usually one
    // append. A bare "\r" would end a line for the client too.
    for (std::size_t start = 0;;) {
        const std::size_t end = json.find_first_of("\r\n", start);
        if (end == std::string_view::npos) {
            frame.append(json.substr(start));
            break;
        }
        frame.append(json.substr(start, end - start)).append("\ndata: ");
        start = end + 1;
        if (json[end] == '\r' && start < json.size() && json[start] == '\n') ++start;  // CRLF is one break
    }
    frame.append("\n\n");
    return frame;
}

}  // namespace cmon::exporters
