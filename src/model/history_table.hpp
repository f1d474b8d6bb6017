// The history as charts want it: every series aligned to one time axis. sampling::MetricHistory builds it
// for a window and step, exporters::to_api_history_json serializes it. Plain value types, std only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cmon::model {

// One series, a cell per point of HistoryTable::times_ms; nullopt where nothing was recorded (no value, or
// the GPU / container did not exist then). min and max are filled only when the table is `aggregated`
// (otherwise every point is one sample: they would equal the mean); at a single sample they equal it.
struct HistoryColumn {
    std::vector<std::optional<double>> mean;
    std::vector<std::optional<double>> min;
    std::vector<std::optional<double>> max;
};

struct HistorySeries {
    std::string name;   // containers only: the newest name seen
    std::string owner;  // containers only: the newest owner seen
    // "cpu_percent", ...; a column of one GPU is "<series>/<gpu index>" ("gpu_memory_bytes_by_gpu/0").
    std::map<std::string, HistoryColumn> columns;
};

struct HistoryTable {
    std::vector<std::int64_t> times_ms;  // unix ms, oldest first: a sample's time, a minute's or a step's start
    std::int64_t step_ms = 0;            // the step asked for; 0: points as stored
    std::int64_t bucket_ms = 0;          // the width of the aggregates kept beyond full resolution
    // Without a step: points from this time on are single samples, earlier ones are bucket aggregates.
    // Absent when the window holds no aggregate.
    std::optional<std::int64_t> full_resolution_since_ms;
    bool aggregated = false;  // some point stands for more than one sample (a step, or a bucket)
    HistorySeries host;
    std::map<unsigned, HistorySeries> gpus;           // by GPU index
    std::map<std::string, HistorySeries> containers;  // by short id
};

}  // namespace cmon::model
