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
        const bool idle_now = process.memory_used_bytes && *process.memory_used_bytes > options_.idle_memory_bytes &&
                              process.sm_percent && *process.sm_percent <= options_.max_idle_sm_percent;
        process.idle_since.reset();
        if (!idle_now) {
            idle_from_.erase(key);
            continue;
        }
        auto [it, inserted] = idle_from_.try_emplace(key, now);
        if (now - it->second >= options_.idle_after) process.idle_since = it->second;
    }
    std::erase_if(idle_from_, [&](const auto& entry) { return !listed.contains(entry.first); });
}

}  // namespace cmon::attribution
