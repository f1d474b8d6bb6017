// GPU accounting results: GPU-seconds per container and GPU (MIG slice where present), as the accountant in
// sampling/ folds them from successive snapshots. Plain value types, std only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::model {

struct GpuSeconds {
    double held_seconds = 0;       // the container had >= 1 process holding memory on the GPU
    double busy_seconds = 0;       // interval x the container's SM share on the GPU / 100
    double idle_held_seconds = 0;  // held while the idle-holder rule said every holding process was idle

    GpuSeconds& operator+=(const GpuSeconds& other) {
        held_seconds += other.held_seconds;
        busy_seconds += other.busy_seconds;
        idle_held_seconds += other.idle_held_seconds;
        return *this;
    }
    GpuSeconds& operator-=(const GpuSeconds& other) {
        held_seconds -= other.held_seconds;
        busy_seconds -= other.busy_seconds;
        idle_held_seconds -= other.idle_held_seconds;
        return *this;
    }
    bool operator==(const GpuSeconds&) const = default;
};

// One container on one GPU (or MIG slice).
struct GpuAccount {
    unsigned gpu_index = 0;
    std::optional<unsigned> gpu_instance_id;  // MIG slice; empty on a whole GPU
    std::string uuid;                         // the GPU's (or the MIG device's) uuid as last seen; may be empty
    GpuSeconds since_start;
    GpuSeconds window;  // since the report's window start
};

struct ContainerAccount {
    std::string id;  // full 64-hex id
    std::string short_id;
    std::string name;   // as last seen
    std::string owner;  // as last seen
    bool removed = false;  // no longer listed; kept for the history window
    std::optional<TimePoint> removed_at;
    std::vector<GpuAccount> gpus;  // by (gpu_index, gpu_instance_id)

    GpuSeconds since_start() const {
        GpuSeconds sum;
        for (const auto& gpu : gpus) sum += gpu.since_start;
        return sum;
    }
    GpuSeconds window() const {
        GpuSeconds sum;
        for (const auto& gpu : gpus) sum += gpu.window;
        return sum;
    }
};

// Totals at `now`: since `started` and over [since, now].
struct AccountingReport {
    TimePoint started{};  // when the accountant started counting
    TimePoint since{};    // window start actually used (clamped to [started, now] and the history window)
    TimePoint now{};      // time of the newest folded snapshot (started before the first)
    std::uint64_t sequence = 0;  // sequence of the newest folded snapshot
    std::vector<ContainerAccount> containers;  // by id; only those that ever held a GPU
};

}  // namespace cmon::model
