// `GET /healthz`: per-source health, whether collection is paused and how old the newest sample is. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

// What the caller knows besides the snapshot.
struct HealthView {
    bool paused = false;
    // How long ago the snapshot was taken; nullopt leaves "age_seconds" out.
    std::optional<std::chrono::steady_clock::duration> age;
    // false: no "sources" (their errors and notes name endpoints, files and devices), for callers that
    // are not authenticated while access control is on.
    bool sources = true;
};

// snapshot may be null (nothing collected yet). healthy() says whether /healthz answers 200 or 503.
std::string to_health_json(const model::Snapshot* snapshot, const HealthView& view);
std::string to_health_json(const model::Snapshot* snapshot, bool paused);
bool healthy(const model::Snapshot* snapshot);

}  // namespace cmon::exporters
