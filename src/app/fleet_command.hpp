// `container-monitor fleet` and `container-monitor report`: the lab view on Prometheus' HTTP API.
#pragma once

#include <memory>

#include "app/config.hpp"
#include "sources/prometheus/fleet_source.hpp"

namespace cmon::app {

// Serves the fleet page, /api/v1/fleet and /healthz until SIGINT/SIGTERM, with the same server, access
// control and TLS as `serve`. Throws util::Error for startup problems.
int run_fleet(const Config& config);

// Prints GPU-hours for --since by --by in --format. Returns 0, or 1 with one line on stderr when
// Prometheus fails.
int run_report(const Config& config);

// The Prometheus client and fleet source the configuration describes (shared by both commands).
std::unique_ptr<sources::FleetSource> make_fleet_source(const Config& config);

}  // namespace cmon::app
