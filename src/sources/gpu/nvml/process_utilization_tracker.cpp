// What one nvmlDeviceGetProcessUtilization answer means per process; rules in the header.
#include "sources/gpu/nvml/process_utilization_tracker.hpp"

#include <algorithm>

#include "sources/gpu/nvml/nvml_library.hpp"

namespace cmon::sources {

std::map<unsigned, SmReading> ProcessUtilizationTracker::update(NvmlReturn rc,
                                                                std::span<const NvmlProcessUtilizationSample> samples,
                                                                const std::vector<unsigned>& pids, bool device_idle,
                                                                std::vector<std::string>& notes) {
    std::map<unsigned, SmReading> out;
    std::erase_if(pids_,
                  [&](const auto& entry) { return std::find(pids.begin(), pids.end(), entry.first) == pids.end(); });

    if (rc != kNvmlSuccess && rc != kNvmlErrorNotFound) {
        notes.push_back("process utilization: " + nvml_return_name(rc));
        pids_.clear();
        for (unsigned pid : pids) out[pid] = SmReading{};
        return out;
    }

    // Newest accepted sample per pid; a sample not newer than what we saw before is old news.
    std::map<unsigned, const NvmlProcessUtilizationSample*> newest;
    unsigned long long newest_seen = last_seen_us_;
    if (rc == kNvmlSuccess) {
        for (const NvmlProcessUtilizationSample& sample : samples) {
            if (sample.timeStamp <= last_seen_us_) continue;
            newest_seen = std::max(newest_seen, sample.timeStamp);
            auto [it, inserted] = newest.try_emplace(sample.pid, &sample);
            if (!inserted && sample.timeStamp > it->second->timeStamp) it->second = &sample;
        }
    }
    last_seen_us_ = newest_seen;

    const bool driver_sampled = !newest.empty();
    for (unsigned pid : pids) {
        PidState& state = pids_[pid];
        SmReading reading;
        if (auto it = newest.find(pid); it != newest.end()) {
            unsigned value = it->second->smUtil;
            if (value > 100) {
                notes.push_back("process utilization: driver reported " + std::to_string(value) + " % for pid " +
                                std::to_string(pid) + ", clamped to 100");
                value = 100;
            }
            state = PidState{value, 0};
            reading = SmReading{value, true};
        } else if (driver_sampled || device_idle) {
            // The driver sampled this interval (or the whole device idled) and this process was not busy.
            state = PidState{0, 0};
            reading = SmReading{0U, true};
        } else if (state.held_ticks < kHoldTicks) {
            ++state.held_ticks;
            reading = SmReading{state.percent, false};
        } else {
            state.percent = 0;
            reading = SmReading{0U, false};
        }
        out[pid] = reading;
    }
    return out;
}

}  // namespace cmon::sources
