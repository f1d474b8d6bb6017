// EngineUsageTracker: deltas of DRM client engine counters (drm-usage-stats.rst) into busy percentages.
#include "sources/gpu/drm/engine_usage_tracker.hpp"

#include <algorithm>

namespace cmon::sources {

namespace {

double clamp_percent(double value) { return std::clamp(value, 0.0, 100.0); }

std::optional<double> busy_percent(const DrmEngineCounters& now, const DrmEngineCounters* before,
                                   std::int64_t wall_ns) {
    if (now.legacy_percent) return clamp_percent(*now.legacy_percent);
    if (before == nullptr) return std::nullopt;
    const double capacity = now.capacity > 0 ? now.capacity : 1.0;
    if (now.busy_ns && before->busy_ns) {
        if (*now.busy_ns < *before->busy_ns || wall_ns <= 0) return std::nullopt;
        const double busy = static_cast<double>(*now.busy_ns - *before->busy_ns);
        return clamp_percent(100.0 * busy / static_cast<double>(wall_ns) / capacity);
    }
    if (now.cycles && now.total_cycles && before->cycles && before->total_cycles) {
        if (*now.cycles < *before->cycles || *now.total_cycles <= *before->total_cycles) return std::nullopt;
        const double busy = static_cast<double>(*now.cycles - *before->cycles);
        const double total = static_cast<double>(*now.total_cycles - *before->total_cycles);
        return clamp_percent(100.0 * busy / total / capacity);
    }
    return std::nullopt;
}

}  // namespace

std::map<std::string, double> EngineUsageTracker::update(const ClientKey& client,
                                                         const std::map<std::string, DrmEngineCounters>& engines,
                                                         std::int64_t now_ns) {
    std::map<std::string, double> out;
    auto [it, inserted] = clients_.try_emplace(client);
    Previous& previous = it->second;
    const std::int64_t wall_ns = now_ns - previous.time_ns;
    for (const auto& [name, counters] : engines) {
        const DrmEngineCounters* before = nullptr;
        if (!inserted) {
            auto found = previous.engines.find(name);
            if (found != previous.engines.end()) before = &found->second;
        }
        if (auto percent = busy_percent(counters, before, wall_ns)) out[name] = *percent;
    }
    previous.time_ns = now_ns;
    previous.engines = engines;
    previous.seen = true;
    return out;
}

void EngineUsageTracker::end_tick() {
    for (auto it = clients_.begin(); it != clients_.end();) {
        if (!it->second.seen) {
            it = clients_.erase(it);
        } else {
            it->second.seen = false;
            ++it;
        }
    }
}

}  // namespace cmon::sources
