// Turns the fleet's query answers (fleet_queries.hpp) into a model::FleetSnapshot: servers by Hostname
// (else instance), their GPUs and MIG slices with holders, free GPUs, owners' GPU-hours. Pure: no I/O, no
// clock (the caller passes the evaluation time).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/fleet_snapshot.hpp"
#include "sources/prometheus/fleet_queries.hpp"
#include "sources/prometheus/prometheus_response_parser.hpp"
#include "util/defaults.hpp"

namespace cmon::sources {

struct FleetAnswers {
    double at_unix = 0;                // the queries' evaluation time
    std::vector<PromSample> up;        // FleetQueries::up
    std::vector<PromSample> last_data; // FleetQueries::last_data
    std::vector<PromSample> names;     // FleetQueries::names
    std::vector<PromSample> gauges;    // FleetQueries::gauges (with __name__)
    std::vector<PromSample> usage;     // FleetQueries::usage (owner, window, kind)
    bool usage_answered = false;       // the usage query worked (an empty answer then means no counters)
};

struct FleetAssemblyOptions {
    double free_gpu_memory_bytes = static_cast<double>(defaults::kFreeGpuMemoryBytes);  // below this (and no process) a GPU is free
    std::size_t top_containers = 5;
    // Host names seen before for (job, instance): a monitor that went down keeps its name.
    std::map<std::pair<std::string, std::string>, std::string> known_names;
};

model::FleetSnapshot assemble_fleet(const FleetAnswers& answers, const FleetAssemblyOptions& options);

// The fleet's GPU-hours windows: "week" is today and the 6 days before it, "month" today and the 29 before.
inline constexpr int kUsageWeekDays = 7;
inline constexpr int kUsageMonthDays = 30;

struct UsageParts {
    std::vector<PromSample> samples;     // owner, kind, window: today, and the windows the recorded days cover
    std::vector<UsageWindow> fallback;   // windows to ask increase() for instead (not every day recorded)
    int recorded_windows = 0;            // windows made from recorded days
};

// Joins today's increase() (samples with owner, kind, window="today") with the recorded whole days
// (recorded_days_query's answer: owner, kind, day; GPU-hours), nullptr when that query failed. A window
// is made from recorded days only when every one of its whole days has some recorded series; its value
// is today's plus those days'. today_seconds: since local midnight (the fallback's range adds whole days).
UsageParts combine_usage(const std::vector<PromSample>& today, const std::vector<PromSample>* whole_days,
                         long long today_seconds, double at_unix);

// "/docker/<64 hex>" or "<64 hex>" -> "<64 hex>" (the part after the last '/').
std::string container_hex_id(std::string_view id);

}  // namespace cmon::sources
