#include "sampling/metric_history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace cmon::sampling {

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
constexpr std::int64_t kBucketMs = std::chrono::milliseconds(MetricHistory::kBucket).count();

constexpr std::array<const char*, 6> kHostColumns = {"cpu_busy_percent",
                                                     "memory_used_bytes",
                                                     "network_rx_bytes_per_second",
                                                     "network_tx_bytes_per_second",
                                                     "disk_read_bytes_per_second",
                                                     "disk_write_bytes_per_second"};
constexpr std::array<const char*, 3> kGpuColumns = {"utilization_percent", "memory_used_bytes", "memory_total_bytes"};
constexpr std::array<const char*, 4> kContainerColumns = {"cpu_percent", "memory_working_set_bytes", "gpu_memory_bytes",
                                                          "sm_percent"};

template <class T>
float number(const std::optional<T>& value) {
    if (!value) return kMissing;
    const auto out = static_cast<float>(*value);
    return std::isfinite(out) ? out : kMissing;
}

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
    const std::int64_t q = value / divisor;
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? q - 1 : q;
}
std::int32_t bucket_of(std::int64_t ms) { return static_cast<std::int32_t>(floor_div(ms, kBucketMs)); }
std::int64_t bucket_start(std::int32_t bucket) { return static_cast<std::int64_t>(bucket) * kBucketMs; }

std::int64_t unix_ms(model::TimePoint time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// What one container's GPU processes add up to in one snapshot (the rule of exporters/container_view:
// memory 0 before any process; from the first process on, absent until one reports memory).
struct ContainerGpuUse {
    std::optional<std::uint64_t> memory = 0;
    bool any_process = false;
    double sm_percent = 0;
    std::map<unsigned, std::uint64_t> memory_by_gpu;
};

// A heap estimate for a deque: whole 512-byte nodes (libstdc++) plus its node map.
template <class T>
std::size_t deque_bytes(const std::deque<T>& items) {
    constexpr std::size_t kNode = 512;
    const std::size_t per_node = std::max<std::size_t>(1, kNode / sizeof(T));
    return (items.size() / per_node + 1) * std::max(kNode, sizeof(T)) + 8 * sizeof(void*);
}

// Heap held by a string: none while it fits the small-string buffer (15 characters in libstdc++).
std::size_t heap_bytes(const std::string& text) { return text.capacity() > 15 ? text.capacity() + 1 : 0; }

// The axis a query lays the series on, and how its points group into output cells.
struct Axis {
    std::int64_t cutoff_ms = 0;
    std::vector<std::int32_t> buckets;  // bucket numbers, oldest first
    std::uint32_t first_raw_frame = 0;
    std::size_t raw_count = 0;
    std::vector<std::size_t> cell_of;  // axis point -> output cell
    std::size_t cells = 0;
    bool extremes = false;  // min and max differ from the mean somewhere: fill them
};

struct Cell {
    double sum = 0;
    std::uint64_t count = 0;
    float min = std::numeric_limits<float>::infinity();
    float max = -std::numeric_limits<float>::infinity();

    void add(float mean, float low, float high, std::uint64_t n) {
        sum += static_cast<double>(mean) * static_cast<double>(n);
        count += n;
        min = std::min(min, low);
        max = std::max(max, high);
    }
};

model::HistoryColumn to_column(const std::vector<Cell>& cells, bool extremes) {
    model::HistoryColumn column;
    column.mean.reserve(cells.size());
    for (const Cell& cell : cells) {
        if (cell.count == 0)
            column.mean.emplace_back();
        else
            column.mean.emplace_back(cell.sum / static_cast<double>(cell.count));
    }
    if (!extremes) return column;
    column.min.reserve(cells.size());
    column.max.reserve(cells.size());
    for (const Cell& cell : cells) {
        column.min.push_back(cell.count == 0 ? std::nullopt : std::optional<double>(cell.min));
        column.max.push_back(cell.count == 0 ? std::nullopt : std::optional<double>(cell.max));
    }
    return column;
}

// Lays one ring's points within the axis into cells, one vector per number; empty when none lies there.
template <std::size_t K>
std::vector<std::vector<Cell>> gather(const MetricHistory::Ring<K>& ring, const Axis& axis) {
    std::vector<std::vector<Cell>> cells;
    auto ensure = [&] {
        if (cells.empty()) cells.assign(K, std::vector<Cell>(axis.cells));
    };
    // Both deques are in time order: start at the first point within the window.
    const auto first_bucket = std::partition_point(ring.buckets.begin(), ring.buckets.end(), [&](const auto& b) {
        return bucket_start(b.minute) < axis.cutoff_ms;
    });
    for (auto it = first_bucket; it != ring.buckets.end(); ++it) {
        const auto& bucket = *it;
        const auto found = std::lower_bound(axis.buckets.begin(), axis.buckets.end(), bucket.minute);
        if (found == axis.buckets.end() || *found != bucket.minute) continue;
        ensure();
        const std::size_t cell = axis.cell_of[static_cast<std::size_t>(found - axis.buckets.begin())];
        for (std::size_t k = 0; k < K; ++k)
            if (bucket.count[k] > 0) cells[k][cell].add(bucket.mean[k], bucket.min[k], bucket.max[k], bucket.count[k]);
    }
    const auto first_raw = std::partition_point(ring.raw.begin(), ring.raw.end(),
                                                [&](const auto& r) { return r.frame < axis.first_raw_frame; });
    for (auto it = first_raw; it != ring.raw.end(); ++it) {
        const auto& raw = *it;
        const std::size_t offset = raw.frame - axis.first_raw_frame;
        if (offset >= axis.raw_count) continue;
        ensure();
        const std::size_t cell = axis.cell_of[axis.buckets.size() + offset];
        for (std::size_t k = 0; k < K; ++k)
            if (!std::isnan(raw.value[k])) cells[k][cell].add(raw.value[k], raw.value[k], raw.value[k], 1);
    }
    return cells;
}

template <std::size_t K>
void put_columns(model::HistorySeries& series, const std::array<const char*, K>& names,
                 const std::vector<std::vector<Cell>>& cells, bool extremes) {
    for (std::size_t k = 0; k < K; ++k) series.columns[names[k]] = to_column(cells[k], extremes);
}

}  // namespace

template <std::size_t K>
void MetricHistory::Ring<K>::fold(const Raw& sample, std::int32_t minute) {
    if (buckets.empty() || buckets.back().minute != minute) {
        Bucket bucket{};
        bucket.minute = minute;
        bucket.count.fill(0);
        bucket.min.fill(kMissing);
        bucket.mean.fill(kMissing);
        bucket.max.fill(kMissing);
        buckets.push_back(bucket);
    }
    Bucket& bucket = buckets.back();
    for (std::size_t k = 0; k < K; ++k) {
        const float x = sample.value[k];
        if (std::isnan(x) || bucket.count[k] == std::numeric_limits<std::uint16_t>::max()) continue;
        if (bucket.count[k] == 0) {
            bucket.min[k] = bucket.mean[k] = bucket.max[k] = x;
        } else {
            bucket.min[k] = std::min(bucket.min[k], x);
            bucket.max[k] = std::max(bucket.max[k], x);
            // A running mean, in double: no sum to keep per bucket.
            const double n = bucket.count[k] + 1.0;
            bucket.mean[k] = static_cast<float>(bucket.mean[k] + (static_cast<double>(x) - bucket.mean[k]) / n);
        }
        ++bucket.count[k];
    }
}

MetricHistory::MetricHistory(std::chrono::seconds window, std::chrono::seconds full_resolution)
    : window_(window), full_resolution_(std::min(full_resolution, window)) {}

void MetricHistory::add(const model::Snapshot& snapshot) {
    const std::int64_t t = unix_ms(snapshot.time);
    std::lock_guard lock(mutex_);
    if (!frame_times_.empty() && t < frame_times_.back()) rewind(t);
    if (frame_times_.empty()) first_frame_ = next_frame_;
    const std::uint32_t frame = next_frame_++;
    frame_times_.push_back(t);
    newest_sequence_ = snapshot.sequence;

    const model::HostStats& h = snapshot.host;
    host_.raw.push_back({frame,
                         {number(h.cpu_busy_percent), static_cast<float>(h.memory_used_bytes),
                          number(h.network_rx.bytes_per_second), number(h.network_tx.bytes_per_second),
                          number(h.disk_read.bytes_per_second), number(h.disk_write.bytes_per_second)}});
    for (const model::GpuDevice& gpu : snapshot.gpus) {
        gpus_[gpu.index].raw.push_back(
            {frame, {number(gpu.utilization_percent), number(gpu.memory_used_bytes), number(gpu.memory_total_bytes)}});
    }
    std::map<std::string_view, ContainerGpuUse> use;
    for (const model::GpuProcess& p : snapshot.gpu_processes) {
        if (!p.container_id) continue;
        ContainerGpuUse& u = use[*p.container_id];
        if (!u.any_process) u.memory = std::nullopt;
        u.any_process = true;
        if (p.memory_used_bytes) u.memory = u.memory.value_or(0) + *p.memory_used_bytes;
        u.sm_percent += p.sm_percent.value_or(0);
        u.memory_by_gpu[p.gpu_index] += p.memory_used_bytes.value_or(0);
    }
    // Rows come in the last sample's order: each finds its series at its place in placed_ (map nodes stay
    // where they are until erased, and an erase empties placed_), through the map only where the place
    // holds another container; 100 string-keyed map walks a second otherwise.
    if (placed_.size() > snapshot.containers.size()) placed_.resize(snapshot.containers.size());
    for (std::size_t i = 0; i < snapshot.containers.size(); ++i) {
        const model::ContainerStats& c = snapshot.containers[i];
        if (i >= placed_.size() || *placed_[i].first != c.short_id) {
            const auto it = containers_.try_emplace(c.short_id).first;
            if (i < placed_.size()) {
                placed_[i] = {&it->first, &it->second};
            } else {
                placed_.emplace_back(&it->first, &it->second);
            }
        }
        ContainerSeries& series = *placed_[i].second;
        if (series.name != c.name) series.name = c.name;  // renames happen; the newest wins
        const std::string& owner = c.owner.empty() ? c.name : c.owner;
        if (series.owner != owner) series.owner = owner;
        const auto found = use.find(c.id);
        const ContainerGpuUse none;
        const ContainerGpuUse& u = found == use.end() ? none : found->second;
        series.numbers.raw.push_back({frame,
                                      {number(c.cpu_percent), number(c.memory_working_set_bytes), number(u.memory),
                                       static_cast<float>(u.sm_percent)}});
        for (const auto& [gpu, bytes] : u.memory_by_gpu)
            series.gpu_memory[gpu].raw.push_back({frame, {static_cast<float>(bytes)}});
    }
    age(t);
}

void MetricHistory::age(std::int64_t newest_ms) {
    const std::int64_t raw_cutoff = newest_ms - std::chrono::milliseconds(full_resolution_).count();
    const std::int64_t window_cutoff = newest_ms - std::chrono::milliseconds(window_).count();
    std::uint32_t fold_until = first_frame_;
    for (std::int64_t time : frame_times_) {
        if (time >= raw_cutoff) break;
        ++fold_until;
    }
    auto age_ring = [&](auto& ring) {
        while (!ring.raw.empty() && ring.raw.front().frame < fold_until) {
            ring.fold(ring.raw.front(), bucket_of(frame_time(ring.raw.front().frame)));
            ring.raw.pop_front();
        }
        while (!ring.buckets.empty() && bucket_start(ring.buckets.front().minute) < window_cutoff)
            ring.buckets.pop_front();
    };
    age_ring(host_);
    for (auto it = gpus_.begin(); it != gpus_.end();) {
        age_ring(it->second);
        it = it->second.empty() ? gpus_.erase(it) : std::next(it);
    }
    for (auto it = containers_.begin(); it != containers_.end();) {
        ContainerSeries& series = it->second;
        age_ring(series.numbers);
        for (auto g = series.gpu_memory.begin(); g != series.gpu_memory.end();) {
            age_ring(g->second);
            g = g->second.empty() ? series.gpu_memory.erase(g) : std::next(g);
        }
        // An id whose last sample left the window is forgotten, name and all: churn stays bounded.
        if (series.numbers.empty() && series.gpu_memory.empty()) {
            placed_.clear();
            it = containers_.erase(it);
        } else {
            ++it;
        }
    }
    while (first_frame_ < fold_until) {
        frame_times_.pop_front();
        ++first_frame_;
    }
}

void MetricHistory::rewind(std::int64_t time_ms) {
    std::uint32_t keep_until = next_frame_;
    while (!frame_times_.empty() && frame_times_.back() > time_ms) {
        frame_times_.pop_back();
        --keep_until;
    }
    const std::int32_t last_bucket = bucket_of(time_ms);
    auto cut = [&](auto& ring) {
        while (!ring.raw.empty() && ring.raw.back().frame >= keep_until) ring.raw.pop_back();
        while (!ring.buckets.empty() && ring.buckets.back().minute > last_bucket) ring.buckets.pop_back();
    };
    cut(host_);
    for (auto& [index, ring] : gpus_) cut(ring);
    for (auto& [id, series] : containers_) {
        cut(series.numbers);
        for (auto& [gpu, ring] : series.gpu_memory) cut(ring);
    }
    next_frame_ = keep_until;
    // Emptied entities go at the next age().
}

std::uint64_t MetricHistory::newest_sequence() const {
    std::lock_guard lock(mutex_);
    return newest_sequence_;
}

model::HistoryTable MetricHistory::query(std::chrono::seconds seconds, std::chrono::milliseconds step) const {
    std::lock_guard lock(mutex_);
    model::HistoryTable table;
    table.step_ms = std::max<std::int64_t>(0, step.count());
    table.bucket_ms = kBucketMs;
    Axis axis;
    if (!frame_times_.empty()) {
        axis.cutoff_ms = frame_times_.back() - std::chrono::milliseconds(seconds).count();
        for (const auto& bucket : host_.buckets)
            if (bucket_start(bucket.minute) >= axis.cutoff_ms) axis.buckets.push_back(bucket.minute);
        const auto first = std::lower_bound(frame_times_.begin(), frame_times_.end(), axis.cutoff_ms);
        axis.first_raw_frame = first_frame_ + static_cast<std::uint32_t>(first - frame_times_.begin());
        axis.raw_count = static_cast<std::size_t>(frame_times_.end() - first);
        std::vector<std::int64_t> times;
        for (std::int32_t bucket : axis.buckets) times.push_back(bucket_start(bucket));
        times.insert(times.end(), first, frame_times_.end());
        if (table.step_ms > 0) {
            for (std::int64_t time : times) {
                const std::int64_t start = floor_div(time, table.step_ms) * table.step_ms;
                if (table.times_ms.empty() || table.times_ms.back() != start) table.times_ms.push_back(start);
                axis.cell_of.push_back(table.times_ms.size() - 1);
            }
        } else {
            for (std::size_t i = 0; i < times.size(); ++i) axis.cell_of.push_back(i);
            table.times_ms = times;
            if (!axis.buckets.empty()) table.full_resolution_since_ms = *first;
        }
        axis.cells = table.times_ms.size();
        table.aggregated = table.step_ms > 0 || !axis.buckets.empty();
        axis.extremes = table.aggregated;
    }

    auto host_cells = gather(host_, axis);
    if (host_cells.empty()) host_cells.assign(kHostNumbers, std::vector<Cell>(axis.cells));
    put_columns(table.host, kHostColumns, host_cells, axis.extremes);
    for (const auto& [index, ring] : gpus_) {
        const auto cells = gather(ring, axis);
        if (!cells.empty()) put_columns(table.gpus[index], kGpuColumns, cells, axis.extremes);
    }
    for (const auto& [id, series] : containers_) {
        const auto cells = gather(series.numbers, axis);
        if (cells.empty()) continue;  // not seen within this window
        model::HistorySeries& out = table.containers[id];
        out.name = series.name;
        out.owner = series.owner;
        put_columns(out, kContainerColumns, cells, axis.extremes);
        for (const auto& [gpu, ring] : series.gpu_memory) {
            const auto by_gpu = gather(ring, axis);
            if (!by_gpu.empty())
                out.columns["gpu_memory_bytes_by_gpu/" + std::to_string(gpu)] = to_column(by_gpu[0], axis.extremes);
        }
    }
    return table;
}

MetricHistory::Stats MetricHistory::stats() const {
    std::lock_guard lock(mutex_);
    Stats stats;
    stats.raw_samples = frame_times_.size();
    stats.buckets = host_.buckets.size();
    stats.containers = containers_.size();
    stats.gpus = gpus_.size();
    constexpr std::size_t kMapNode = 48;  // a std::map node's links and colour, before its value
    auto ring_bytes = [](const auto& ring) { return deque_bytes(ring.raw) + deque_bytes(ring.buckets); };
    stats.bytes = deque_bytes(frame_times_) + ring_bytes(host_);
    for (const auto& [index, ring] : gpus_) stats.bytes += kMapNode + sizeof(ring) + ring_bytes(ring);
    for (const auto& [id, series] : containers_) {
        stats.bytes += kMapNode + sizeof(id) + sizeof(series) + heap_bytes(id) + heap_bytes(series.name) +
                       heap_bytes(series.owner) + ring_bytes(series.numbers);
        for (const auto& [gpu, ring] : series.gpu_memory) {
            ++stats.container_gpu_series;
            stats.bytes += kMapNode + sizeof(ring) + ring_bytes(ring);
        }
    }
    return stats;
}

}  // namespace cmon::sampling
