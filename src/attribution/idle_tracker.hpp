// Idle GPU holders: a process (per GPU) that keeps more than idle_memory_bytes of GPU memory with SM use at
// or below max_idle_sm_percent for at least idle_after gets GpuProcess::idle_since = when it was first seen
// idle. Time comes in as a parameter, so tests are exact.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "model/snapshot.hpp"
#include "util/defaults.hpp"

namespace cmon::attribution {

struct IdleTrackerOptions {
    std::uint64_t idle_memory_bytes = defaults::kIdleGpuMemoryBytes;  // "holding more than" this
    std::chrono::system_clock::duration idle_after = defaults::kIdleGpuAfter;
    unsigned max_idle_sm_percent = 1;  // SM % at or below this counts as idle
    // Fresh driver samples at ~0 needed before a holder can be idle: a held (stale) SM % or a broken
    // sampling call never makes a process idle.
    unsigned min_fresh_idle_samples = 3;
};

class IdleTracker {
public:
    explicit IdleTracker(IdleTrackerOptions options = {});

    // Sets idle_since on the processes idle for long enough, clears it on the others; forgets processes that
    // are no longer listed. A process with unknown memory or SM % is not judged idle; a tick whose SM % is
    // not fresh (GpuProcess::sm_percent_fresh) neither counts toward idleness nor resets it.
    void update(std::vector<model::GpuProcess>& processes, std::chrono::system_clock::time_point now);

private:
    IdleTrackerOptions options_;
    struct Idle {
        std::chrono::system_clock::time_point from;  // first fresh ~0 sample
        unsigned fresh_samples = 0;
    };
    std::map<std::pair<unsigned, unsigned>, Idle> idle_from_;  // (gpu, pid)
};

}  // namespace cmon::attribution
