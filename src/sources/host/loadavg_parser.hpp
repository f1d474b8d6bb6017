// Parsers for the two one-line files /proc/loadavg and /proc/uptime. Pure: no I/O.
#pragma once

#include <optional>
#include <string_view>

#include "model/snapshot.hpp"

namespace cmon::sources {

struct LoadAvg {
    std::optional<model::LoadAverage> load;  // all three averages, or empty
};

struct Uptime {
    std::optional<double> uptime_seconds;
    std::optional<double> idle_seconds;  // summed over all CPUs
};

// "0.06 0.08 0.03 1/81 3754": the first three fields (1, 5, 15 minutes).
LoadAvg parse_loadavg(std::string_view text);
// "3724.65 7361.43": seconds since boot, idle seconds summed over CPUs.
Uptime parse_uptime(std::string_view text);

}  // namespace cmon::sources
