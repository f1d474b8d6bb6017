// SM % per process from nvmlDeviceGetProcessUtilization, as real drivers answer it. Pure: the NVML call is
// made by the caller; this class only decides what its answer means, so tests feed it answers directly.
//
// NVML keeps a buffer of per-process samples stamped with the driver's clock (microseconds) and returns those
// newer than lastSeenTimeStamp, or NOT_FOUND when there are none. So:
//   - we pass the newest timeStamp we have seen from this device (never our own clock);
//   - a sample not newer than that is ignored (drivers may hand back old ones after a wrap or reset);
//   - a listed process without a sample in a successful answer used no SMs: 0, fresh;
//   - NOT_FOUND on a device whose own utilization is ~0 means nobody computed: 0, fresh;
//   - NOT_FOUND while the device is busy (or its utilization unknown) means "nothing newer yet": each
//     process keeps its last value for up to kHoldTicks calls, marked not fresh, and only then reads 0;
//   - values above 100 are clamped, with a note;
//   - any other error: no value at all (sampling broke), so nothing can look idle because of it.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sources/gpu/nvml/nvml_types.hpp"

namespace cmon::sources {

struct SmReading {
    std::optional<unsigned> percent;
    bool fresh = false;
};

class ProcessUtilizationTracker {
public:
    static constexpr int kHoldTicks = 3;

    // The lastSeenTimeStamp to pass to the next call.
    unsigned long long last_seen_timestamp_us() const { return last_seen_us_; }

    // One answer of the driver for the listed pids. `device_idle`: the device's own utilization, read this
    // tick, was ~0. Notes (clamped values, errors) are appended to `notes`.
    std::map<unsigned, SmReading> update(NvmlReturn rc, std::span<const NvmlProcessUtilizationSample> samples,
                                         const std::vector<unsigned>& pids, bool device_idle,
                                         std::vector<std::string>& notes);

private:
    struct PidState {
        unsigned percent = 0;
        int held_ticks = 0;
    };
    std::map<unsigned, PidState> pids_;
    unsigned long long last_seen_us_ = 0;
};

}  // namespace cmon::sources
