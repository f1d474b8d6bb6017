#include "exporters/health_exporter.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "exporters/format.hpp"

namespace cmon::exporters {

bool healthy(const model::Snapshot* snapshot) { return snapshot != nullptr; }

std::string to_health_json(const model::Snapshot* snapshot, bool paused) {
    HealthView view;
    view.paused = paused;
    return to_health_json(snapshot, view);
}

std::string to_health_json(const model::Snapshot* snapshot, const HealthView& view) {
    nlohmann::ordered_json root;
    if (snapshot == nullptr) {
        root["status"] = "starting";
        root["paused"] = view.paused;
        if (view.sources) root["sources"] = nlohmann::ordered_json::array();
        return root.dump();
    }
    bool all_ok = true;
    nlohmann::ordered_json sources = nlohmann::ordered_json::array();
    for (const auto& source : snapshot->sources) {
        nlohmann::ordered_json entry;
        entry["name"] = source.name;
        entry["ok"] = source.ok;
        if (!source.ok) entry["error"] = source.error;
        if (!source.note.empty()) entry["note"] = source.note;
        // ok but incomplete: which fields are missing and why (a GPU refusing temperature, hidden processes).
        entry["state"] = !source.ok ? "error" : source.degraded ? "degraded" : "ok";
        if (source.ok && source.degraded) entry["warnings"] = source.warnings;
        if (source.last_success) entry["last_success"] = rfc3339_utc(*source.last_success);
        all_ok = all_ok && source.ok;
        sources.push_back(std::move(entry));
    }
    // "degraded" still answers 200: the monitor itself works and says what is missing.
    root["status"] = all_ok ? "ok" : "degraded";
    root["paused"] = view.paused;
    root["sequence"] = snapshot->sequence;
    root["time"] = rfc3339_utc(snapshot->time);
    if (view.age) {
        // Milliseconds are plenty for "how stale is it"; a clock step backwards is not a negative age.
        const double ms = static_cast<double>(
            std::chrono::duration_cast<std::chrono::milliseconds>(*view.age).count());
        root["age_seconds"] = std::max(ms, 0.0) / 1000.0;
    }
    if (view.sources) root["sources"] = std::move(sources);
    return root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cmon::exporters
