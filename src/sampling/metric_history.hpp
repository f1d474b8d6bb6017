// The in-memory history behind /api/v1/history and the page's charts (nothing goes to disk): per published
// snapshot it keeps only the charted numbers, in compact records. Every sample of the last
// `full_resolution` (15 min) is kept as it came; older ones are folded into 1-minute buckets (min, mean,
// max and a sample count per number) for the rest of the window (24 h by default).
//
// Pure and clock-free: times are the snapshots' own (Snapshot::time), so tests are exact. Thread-safe
// (one lock): the sampler thread adds, HTTP threads query.
//
// Why float: every charted number fits a float's 24-bit mantissa to better than 1 part in 10^7 (a
// percent to 0.00001; 80 GiB of GPU memory to 8 KiB), and byte counts that come in pages (cgroup memory,
// /proc/meminfo in kB) are exact below 64 GiB. Half the size of double, which is what lets a day of
// 100 containers fit the 40 MiB budget (bench/history_bench.cpp). NaN marks "not reported".
// Why uint32 frame numbers: a raw record names its sample by number (4 bytes, not an 8-byte time);
// 2^32 samples at the smallest interval (0.05 s) are 6.8 years. Minute numbers are int32 (4000 years).
// Why uint16 counts: at most 60 s / 0.05 s = 1200 samples fall in one bucket.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "model/history_table.hpp"
#include "model/snapshot.hpp"

namespace cmon::sampling {

class MetricHistory {
public:
    static constexpr std::chrono::seconds kFullResolution{15 * 60};
    static constexpr std::chrono::seconds kBucket{60};

    explicit MetricHistory(std::chrono::seconds window, std::chrono::seconds full_resolution = kFullResolution);

    // Called for every published snapshot, in publish order. A snapshot older than the newest one (the
    // wall clock was set back) first drops what is newer than it: the history follows the clock.
    void add(const model::Snapshot& snapshot);
    void add(const model::SnapshotPtr& snapshot) {
        if (snapshot) add(*snapshot);
    }

    // What lies within `seconds` of the newest sample. Without a step: the minute buckets, then the raw
    // samples. With a step: both grouped into steps aligned to multiples of `step` since the epoch (mean
    // weighted by sample counts, min of minima, max of maxima); steps without a sample are left out.
    model::HistoryTable query(std::chrono::seconds seconds, std::chrono::milliseconds step = {}) const;

    std::chrono::seconds window() const { return window_; }
    std::chrono::seconds full_resolution() const { return full_resolution_; }
    // The newest sample's Snapshot::sequence (0 while empty): what changes when the history does.
    std::uint64_t newest_sequence() const;

    struct Stats {
        std::size_t raw_samples = 0;  // samples kept at full resolution
        std::size_t buckets = 0;      // minute buckets (of the host series: one per minute with samples)
        std::size_t containers = 0;   // container ids interned (seen within the window)
        std::size_t gpus = 0;
        std::size_t container_gpu_series = 0;
        std::size_t bytes = 0;  // estimate of the heap the store holds
    };
    Stats stats() const;

    // One entity's K numbers (host, a GPU, a container, a container on one GPU).
    template <std::size_t K>
    struct Ring {
        struct Raw {
            std::uint32_t frame;         // sample number
            std::array<float, K> value;  // NaN: not reported
        };
        struct Bucket {
            std::int32_t minute;                 // bucket number since the epoch
            std::array<std::uint16_t, K> count;  // samples with a value
            std::array<float, K> min;
            std::array<float, K> mean;
            std::array<float, K> max;
        };
        std::deque<Raw> raw;         // oldest first
        std::deque<Bucket> buckets;  // oldest first, only buckets with a sample

        bool empty() const { return raw.empty() && buckets.empty(); }
        void fold(const Raw& sample, std::int32_t minute);
        std::size_t bytes() const { return raw.size() * sizeof(Raw) + buckets.size() * sizeof(Bucket); }
    };

private:
    static constexpr std::size_t kHostNumbers = 6;
    static constexpr std::size_t kGpuNumbers = 3;
    static constexpr std::size_t kContainerNumbers = 4;
    struct ContainerSeries {
        std::string name;  // interned once per id, the newest wins
        std::string owner;
        Ring<kContainerNumbers> numbers;
        std::map<unsigned, Ring<1>> gpu_memory;  // by GPU index: memory of its processes there
    };

    // Folds samples that left full resolution, drops buckets that left the window and ids left empty.
    void age(std::int64_t newest_ms);
    void rewind(std::int64_t time_ms);
    std::int64_t frame_time(std::uint32_t frame) const { return frame_times_[frame - first_frame_]; }

    const std::chrono::seconds window_;
    const std::chrono::seconds full_resolution_;
    mutable std::mutex mutex_;
    std::deque<std::int64_t> frame_times_;  // unix ms of the raw samples, frame first_frame_ onward
    std::uint32_t first_frame_ = 0;
    std::uint32_t next_frame_ = 0;
    std::uint64_t newest_sequence_ = 0;
    Ring<kHostNumbers> host_;
    std::map<unsigned, Ring<kGpuNumbers>> gpus_;
    std::map<std::string, ContainerSeries> containers_;  // by short id
    // The last sample's containers in its order: their short ids (the map's keys) and series.
    std::vector<std::pair<const std::string*, ContainerSeries*>> placed_;
};

}  // namespace cmon::sampling
