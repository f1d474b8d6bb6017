// Server-sent event frames (the text/event-stream format, WHATWG HTML "Server-sent events"): one event
// per snapshot carrying the API JSON, and the fixed frames of /api/v1/events. Pure: http/ only sends
// these bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cmon::exporters {

// Sent first on a new stream: a client that loses the connection reconnects after 3 s.
inline constexpr std::string_view kSseRetry = "retry: 3000\n\n";
// Collection paused because nobody else is looking; the next snapshot event ends it.
inline constexpr std::string_view kSsePaused = "event: paused\ndata: {\"paused\":true}\n\n";
// A comment line: keeps proxies from closing an idle stream and lets the server notice a vanished peer.
inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";

// "id: <sequence>\nevent: snapshot\ndata: <json>\n\n". A line break inside `json` starts another
// "data: " line (the client joins them with "\n"), so any text arrives whole.
std::string to_sse_snapshot_frame(std::uint64_t sequence, std::string_view json);

// The same frame in pieces, for JSON that is one line (JsonWriter never writes a line break): the head
// "id: <sequence>\nevent: snapshot\ndata: ", the JSON as it is, then kSseFrameEnd. The server sends the
// three in one gathered write, so the JSON it already holds for /api/v1/snapshot is never copied.
std::string sse_snapshot_head(std::uint64_t sequence);
// "id: <sequence>\nevent: delta\ndata: ": the head of a frame whose data is the delta from the sequence
// before (ApiSnapshotWriter::write_with_delta), for streams opened with ?delta=1.
std::string sse_delta_head(std::uint64_t sequence);
inline constexpr std::string_view kSseFrameEnd = "\n\n";
// Whether `json` may be sent between the head and kSseFrameEnd as it is (no "\r" or "\n" in it).
bool is_one_sse_data_line(std::string_view json);

}  // namespace cmon::exporters
