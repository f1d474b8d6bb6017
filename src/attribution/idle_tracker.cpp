// IdleTracker: first-seen-idle time per (gpu, pid).
#include "attribution/idle_tracker.hpp"

#include <set>

namespace cmon::attribution {

IdleTracker::IdleTracker(IdleTrackerOptions options) : options_(options) {}

void IdleTracker::update(std::vector<model::GpuProcess>& processes, std::chrono::system_clock::time_point now) {
    std::set<std::pair<unsigned, unsigned>> listed;
    for (model::GpuProcess& process : processes) {
        const std::pair<unsigned, unsigned> key{process.gpu_index, process.pid};
        listed.insert(key);
        process.idle_since.reset();
        const bool holds = process.memory_used_bytes && *process.memory_used_bytes > options_.idle_memory_bytes;
        if (!holds || !process.sm_percent) {
            idle_from_.erase(key);
            continue;
        }
        auto found = idle_from_.find(key);
        if (process.sm_percent_fresh) {
            if (*process.sm_percent > options_.max_idle_sm_percent) {
                idle_from_.erase(key);
                continue;
            }
            if (found == idle_from_.end()) found = idle_from_.emplace(key, Idle{now, 0}).first;
            ++found->second.fresh_samples;
        }
        if (found == idle_from_.end()) continue;
        const Idle& idle = found->second;
        if (idle.fresh_samples >= options_.min_fresh_idle_samples && now - idle.from >= options_.idle_after)
            process.idle_since = idle.from;
    }
    std::erase_if(idle_from_, [&](const auto& entry) { return !listed.contains(entry.first); });
}

}  // namespace cmon::attribution
