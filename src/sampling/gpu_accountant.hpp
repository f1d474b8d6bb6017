// GPU accounting: a fold over successive published snapshots into GPU-seconds per container and GPU (MIG
// slice where the snapshot says which), kept in memory since the accountant started. Pure apart from the
// injected clock (start time) and its own lock: intervals come from the snapshots' own times, so tests are
// exact. Exporters read its reports (model/accounting.hpp), never the accountant itself.
//
// Each interval (previous snapshot, this snapshot] counts, per (container, GPU):
//   held       dt x (held at start + held at end) / 2   (a process joining or leaving somewhere inside the
//              interval counts for half of it: the expected share, without bias either way)
//   idle-held  the same with "held and every holding process marked idle" (GpuProcess::idle_since)
//   busy       dt x the container's summed SM % at the end (NVML's per-process utilisation is already the
//              average over the last interval) / 100, capped at 100 % and at the interval's held seconds
// Intervals longer than max_gap (collection was paused: nobody looked) are not counted: nothing is known
// about them. Containers that disappear keep their totals, marked removed, for `retention`.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "model/accounting.hpp"
#include "model/snapshot.hpp"
#include "util/clock.hpp"

namespace cmon::sampling {

struct GpuAccountantOptions {
    // How far back a window may start, and how long removed containers stay listed (the history window).
    std::chrono::seconds retention{24 * 3600};
    // Window starts are rounded down to a multiple of this (memory: one bucket per account and bucket).
    std::chrono::seconds bucket{60};
    // A longer interval between two snapshots is a pause in collection, not counted.
    std::chrono::milliseconds max_gap{10000};
};

class GpuAccountant {
public:
    // `clock` gives the start time; it must outlive the accountant.
    GpuAccountant(GpuAccountantOptions options, const util::Clock& clock);

    // Folds one published snapshot (snapshots arrive in publish order). Thread-safe.
    void add(const model::Snapshot& snapshot);
    // Totals since start and over [since, now]; without `since` the window is since start. `since` is
    // clamped to [start, now] and to the retention, then rounded down to a bucket (report.since says
    // which start was used). Thread-safe.
    model::AccountingReport report(std::optional<model::TimePoint> since = std::nullopt) const;

    model::TimePoint started() const { return started_; }
    const GpuAccountantOptions& options() const { return options_; }

private:
    // (gpu index, MIG GPU instance id)
    using GpuKey = std::pair<unsigned, std::optional<unsigned>>;
    struct Holding {
        bool held = false;
        bool idle = false;         // held, and every holding process idle
        double sm_percent = 0;     // summed over the container's processes, capped at 100
        std::string uuid;
    };
    struct Bucket {
        std::int64_t start = 0;  // unix seconds, a multiple of options_.bucket
        model::GpuSeconds seconds;
    };
    struct Account {
        std::string uuid;
        model::GpuSeconds total;
        std::deque<Bucket> buckets;  // oldest first; only buckets with something counted
    };
    struct Container {
        std::string short_id;
        std::string name;
        std::string owner;
        std::optional<model::TimePoint> removed_at;
        std::map<GpuKey, Account> gpus;
        std::uint64_t listed_round = 0;  // the last update_containers that found it listed
    };
    using HoldingMap = std::map<std::pair<std::string, GpuKey>, Holding>;

    static HoldingMap holdings_of(const model::Snapshot& snapshot);
    void update_containers(const model::Snapshot& snapshot, const HoldingMap& now);
    void accrue(const std::string& id, const GpuKey& gpu, const std::string& uuid, const model::GpuSeconds& add,
                model::TimePoint at);
    void prune(model::TimePoint now);
    std::int64_t bucket_of(model::TimePoint time) const;

    const GpuAccountantOptions options_;
    const model::TimePoint started_;

    mutable std::mutex mutex_;
    std::map<std::string, Container> containers_;  // by full id
    HoldingMap previous_;
    std::optional<model::TimePoint> previous_time_;
    std::optional<std::chrono::steady_clock::time_point> previous_monotonic_;
    std::uint64_t sequence_ = 0;
    std::uint64_t listing_round_ = 0;
};

}  // namespace cmon::sampling
