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

// "/docker/<64 hex>" or "<64 hex>" -> "<64 hex>" (the part after the last '/').
std::string container_hex_id(std::string_view id);

}  // namespace cmon::sources
