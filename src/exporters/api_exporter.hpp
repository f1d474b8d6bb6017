// `GET /api/v1/snapshot` and `GET /api/v1/history` (docs/api.md): the snapshot as typed JSON with the
// model's own field names, and a compact columnar history for the dashboard's charts.
// Pure: functions of snapshots.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/history_table.hpp"
#include "model/snapshot.hpp"

namespace cmon::exporters {

inline constexpr int kApiVersion = 1;

// The whole snapshot: bytes as integers, times as RFC 3339 UTC strings, absent optionals omitted, plus
// "api_version", the page's "title" when given, and per container "gpu_memory_bytes" and "gpu_indices".
// Reused by SSE frames. Written directly (api_snapshot_writer.cpp), without a document tree.
std::string to_api_json(const model::Snapshot& snapshot, const std::string* title = nullptr);
// The same bytes, from a writer that keeps each container's text between snapshots and writes it again
// only when the container's row (or its GPU use) changed: most rows of a busy server's snapshot are the
// same from one second to the next (idle containers), and copying their text is a fraction of writing
// it. Thread-safe; one per server.
class ApiSnapshotWriter {
public:
    ApiSnapshotWriter();
    ~ApiSnapshotWriter();
    ApiSnapshotWriter(const ApiSnapshotWriter&) = delete;
    ApiSnapshotWriter& operator=(const ApiSnapshotWriter&) = delete;

    std::string write(const model::Snapshot& snapshot, const std::string* title = nullptr);

    // The document and, when the writer's previous document was of the sequence just before, the delta
    // from that one to this (docs/api.md, "Event stream"): what the page's event stream sends instead of
    // the whole document each second. Each write starts from the previous, so call this for every
    // snapshot in turn (write() is the same without handing out the delta).
    struct Document {
        std::string full;
        std::optional<std::string> delta;
    };
    Document write_with_delta(const model::Snapshot& snapshot, const std::string* title = nullptr);
    // How many container texts the last write wrote anew (the rest were copied), for tests.
    std::size_t last_written() const;

    struct Fragments;  // the kept texts (api_snapshot_writer.cpp)

private:
    std::unique_ptr<Fragments> fragments_;
};

// The same read back as a document, for tests and tools that look into it.
nlohmann::json api_snapshot_value(const model::Snapshot& snapshot);

// From whole snapshots: the reference the compact history's document is checked against
// (tests/unit/http/history_parity_test.cpp); the server serves the overload below.
// `ring` oldest first (null entries skipped); keeps the snapshots within `window` of the newest one.
// Every series is aligned to "times"; null where a sample had no value.
// With `step` > 0 the points are grouped into steps aligned to multiples of `step` since the epoch: each
// series holds the mean over its step, and host cpu_busy_percent, GPU utilization_percent and container
// cpu_percent / sm_percent get a `<name>_max` sibling with the step's maximum; "step_ms" says the spacing
// served (without a step, the median spacing of the raw points).
std::string to_api_history_json(const std::vector<model::SnapshotPtr>& ring, std::chrono::seconds window,
                                std::chrono::milliseconds step = std::chrono::milliseconds(0));

// The same document from the compact history (sampling::MetricHistory::query): the same series, rounding
// and `_max` siblings, plus `_min` siblings wherever a point stands for more than one sample (a step, or a
// minute bucket), "bucket_ms", and "full_resolution_since_ms" where minute buckets precede the raw samples.
std::string to_api_history_json(const model::HistoryTable& table);

}  // namespace cmon::exporters
