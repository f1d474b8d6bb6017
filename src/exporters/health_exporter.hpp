// `GET /healthz`: per-source health and whether collection is paused. Pure.
#pragma once

#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

// snapshot may be null (nothing collected yet). healthy() says whether /healthz answers 200 or 503.
std::string to_health_json(const model::Snapshot* snapshot, bool paused);
bool healthy(const model::Snapshot* snapshot);

}  // namespace cmon::exporters
