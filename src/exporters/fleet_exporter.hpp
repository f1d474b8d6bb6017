// GET /api/v1/fleet: a FleetSnapshot as JSON (docs/api.md, "Fleet"). Pure: no I/O. Missing values are
// absent keys, never zeros; times are unix seconds (`*_unix`).
#pragma once

#include <string>

#include "model/fleet_snapshot.hpp"

namespace cmon::exporters {

std::string to_fleet_json(const model::FleetSnapshot& fleet);

}  // namespace cmon::exporters
