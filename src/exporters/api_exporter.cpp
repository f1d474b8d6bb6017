// `GET /api/v1/history`: columns of the history ring for the page's charts. (The snapshot itself is
// written in api_snapshot_writer.cpp.)
#include "exporters/api_exporter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

#include "exporters/container_view.hpp"
#include "exporters/format.hpp"

namespace cmon::exporters {

namespace {

using Json = nlohmann::json;

// History cells: percents to 0.1 and rates to whole bytes/s keep the response small; null = no value.
Json percent_cell(std::optional<double> value) {
    if (!value || !std::isfinite(*value)) return nullptr;
    return round1(*value);
}
Json rate_cell(std::optional<double> value) {
    if (!value || !std::isfinite(*value)) return nullptr;
    return std::llround(*value);
}
template <class T>
Json count_cell(std::optional<T> value) {
    if (!value) return nullptr;
    return *value;
}

// The series of one GPU or one container, each column aligned to "times".
struct SeriesSet {
    Json meta = Json::object();
    std::map<std::string, std::vector<Json>> columns;

    void set(const std::string& column, std::size_t count, std::size_t i, Json value) {
        auto& cells = columns[column];
        if (cells.empty()) cells.assign(count, nullptr);
        cells[i] = std::move(value);
    }
    // A column named "<series>/<key>" is the cell array <key> of the object <series> (per-GPU series).
    Json to_json() const {
        Json out = meta;
        for (const auto& [name, cells] : columns) {
            const auto slash = name.find('/');
            if (slash == std::string::npos)
                out[name] = cells;
            else
                out[name.substr(0, slash)][name.substr(slash + 1)] = cells;
        }
        return out;
    }
};

// Mean of the non-null cells (integers stay integers, others to 0.1), or null when all are null.
Json mean_cell(const std::vector<Json>& cells, std::size_t begin, std::size_t end) {
    double sum = 0;
    std::size_t count = 0;
    bool integers = true;
    for (std::size_t i = begin; i < end; ++i) {
        if (!cells[i].is_number()) continue;
        sum += cells[i].get<double>();
        integers = integers && cells[i].is_number_integer();
        ++count;
    }
    if (count == 0) return nullptr;
    const double mean = sum / static_cast<double>(count);
    if (integers) return std::llround(mean);
    return round1(mean);
}

Json max_cell(const std::vector<Json>& cells, std::size_t begin, std::size_t end) {
    Json best = nullptr;
    for (std::size_t i = begin; i < end; ++i) {
        if (cells[i].is_number() && (best.is_null() || cells[i].get<double>() > best.get<double>())) best = cells[i];
    }
    return best;
}

// Series that also get a `_max` sibling when points are grouped into steps.
bool has_max_sibling(const std::string& column) {
    return column == "cpu_busy_percent" || column == "utilization_percent" || column == "cpu_percent" ||
           column == "sm_percent";
}

// Groups aligned points [bounds[k], bounds[k+1]) into one cell each.
void aggregate(SeriesSet& series, const std::vector<std::size_t>& bounds) {
    std::map<std::string, std::vector<Json>> out;
    for (const auto& [name, cells] : series.columns) {
        std::vector<Json> means;
        std::vector<Json> maxima;
        for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
            means.push_back(mean_cell(cells, bounds[k], bounds[k + 1]));
            if (has_max_sibling(name)) maxima.push_back(max_cell(cells, bounds[k], bounds[k + 1]));
        }
        out[name] = std::move(means);
        if (has_max_sibling(name)) out[name + "_max"] = std::move(maxima);
    }
    series.columns = std::move(out);
}

std::vector<const model::Snapshot*> within_window(const std::vector<model::SnapshotPtr>& ring,
                                                  std::chrono::seconds window) {
    std::vector<const model::Snapshot*> kept;
    for (const auto& snapshot : ring)
        if (snapshot) kept.push_back(snapshot.get());
    std::stable_sort(kept.begin(), kept.end(), [](auto* a, auto* b) { return a->time < b->time; });
    if (kept.empty()) return kept;
    model::TimePoint oldest = kept.back()->time - window;
    kept.erase(kept.begin(), std::find_if(kept.begin(), kept.end(), [&](auto* s) { return s->time >= oldest; }));
    return kept;
}

std::int64_t unix_ms(model::TimePoint time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// The median spacing, so the page can tell a gap (a pause) from the ring's normal thinning.
std::int64_t interval_hint_ms(const std::vector<std::int64_t>& times) {
    if (times.size() < 2) return 0;
    std::vector<std::int64_t> deltas;
    for (std::size_t i = 1; i < times.size(); ++i) deltas.push_back(times[i] - times[i - 1]);
    std::nth_element(deltas.begin(), deltas.begin() + static_cast<std::ptrdiff_t>(deltas.size() / 2), deltas.end());
    return deltas[deltas.size() / 2];
}

}  // namespace

nlohmann::json api_snapshot_value(const model::Snapshot& snapshot) { return Json::parse(to_api_json(snapshot)); }

std::string to_api_history_json(const std::vector<model::SnapshotPtr>& ring, std::chrono::seconds window,
                                std::chrono::milliseconds step) {
    const std::vector<const model::Snapshot*> points = within_window(ring, window);
    const std::size_t n = points.size();
    std::vector<std::int64_t> times;
    SeriesSet host;
    for (const char* column :
         {"cpu_busy_percent", "memory_used_bytes", "network_rx_bytes_per_second", "network_tx_bytes_per_second",
          "disk_read_bytes_per_second", "disk_write_bytes_per_second"})
        host.columns[column].assign(n, nullptr);  // present even when the ring is empty
    std::map<std::string, SeriesSet> gpus;        // by index
    std::map<std::string, SeriesSet> containers;  // by short id
    for (std::size_t i = 0; i < n; ++i) {
        const model::Snapshot& s = *points[i];
        times.push_back(unix_ms(s.time));
        host.set("cpu_busy_percent", n, i, percent_cell(s.host.cpu_busy_percent));
        host.set("memory_used_bytes", n, i, s.host.memory_used_bytes);
        host.set("network_rx_bytes_per_second", n, i, rate_cell(s.host.network_rx.bytes_per_second));
        host.set("network_tx_bytes_per_second", n, i, rate_cell(s.host.network_tx.bytes_per_second));
        host.set("disk_read_bytes_per_second", n, i, rate_cell(s.host.disk_read.bytes_per_second));
        host.set("disk_write_bytes_per_second", n, i, rate_cell(s.host.disk_write.bytes_per_second));
        for (const auto& gpu : s.gpus) {
            SeriesSet& series = gpus[std::to_string(gpu.index)];
            series.set("utilization_percent", n, i, count_cell(gpu.utilization_percent));
            series.set("memory_used_bytes", n, i, count_cell(gpu.memory_used_bytes));
            series.set("memory_total_bytes", n, i, count_cell(gpu.memory_total_bytes));
        }
        for (const auto& c : s.containers) {
            SeriesSet& series = containers[c.short_id];
            series.meta["name"] = c.name;  // the newest name (and owner) wins (renames happen)
            series.meta["owner"] = c.owner.empty() ? c.name : c.owner;
            series.set("cpu_percent", n, i, percent_cell(c.cpu_percent));
            series.set("memory_working_set_bytes", n, i, count_cell(c.memory_working_set_bytes));
            series.set("gpu_memory_bytes", n, i, count_cell(container_gpu_memory(s, c.id)));
            // Summed SM % and memory per GPU of the container's processes (0 / absent without any).
            unsigned sm = 0;
            std::map<unsigned, std::uint64_t> by_gpu;
            for (const auto& p : s.gpu_processes) {
                if (p.container_id != c.id) continue;
                sm += p.sm_percent.value_or(0);
                by_gpu[p.gpu_index] += p.memory_used_bytes.value_or(0);
            }
            series.set("sm_percent", n, i, sm);
            for (const auto& [gpu, bytes] : by_gpu)
                series.set("gpu_memory_bytes_by_gpu/" + std::to_string(gpu), n, i, bytes);
        }
    }
    std::int64_t step_ms = interval_hint_ms(times);
    if (step.count() > 0 && n > 0) {
        step_ms = step.count();
        // Step boundaries: the first point of each aligned step.
        std::vector<std::size_t> bounds;
        std::vector<std::int64_t> step_times;
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t start = times[i] - ((times[i] % step_ms) + step_ms) % step_ms;
            if (step_times.empty() || step_times.back() != start) {
                bounds.push_back(i);
                step_times.push_back(start);
            }
        }
        bounds.push_back(n);
        aggregate(host, bounds);
        for (auto& [index, series] : gpus) aggregate(series, bounds);
        for (auto& [id, series] : containers) aggregate(series, bounds);
        times = std::move(step_times);
    }
    Json root;
    root["api_version"] = kApiVersion;
    root["interval_hint_ms"] = interval_hint_ms(times);
    root["step_ms"] = step_ms;
    root["times"] = times;
    root["host"] = host.to_json();
    root["gpus"] = Json::object();
    for (const auto& [index, series] : gpus) root["gpus"][index] = series.to_json();
    root["containers"] = Json::object();
    for (const auto& [id, series] : containers) root["containers"][id] = series.to_json();
    return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

// Rounded like the snapshot-ring columns: CPU percents to 0.1, everything else (bytes, rates, GPU and SM
// percents, which the sources report as whole numbers) to integers.
Json table_cell(const std::string& column, const std::optional<double>& value) {
    if (!value || !std::isfinite(*value)) return nullptr;
    if (column == "cpu_busy_percent" || column == "cpu_percent") return round1(*value);
    return std::llround(*value);
}

Json table_cells(const std::string& column, const std::vector<std::optional<double>>& values) {
    Json out = Json::array();
    for (const auto& value : values) out.push_back(table_cell(column, value));
    return out;
}

Json table_series(const model::HistorySeries& series, bool aggregated, bool with_meta) {
    Json out = Json::object();
    if (with_meta) {
        out["name"] = series.name;
        out["owner"] = series.owner.empty() ? series.name : series.owner;
    }
    for (const auto& [name, column] : series.columns) {
        const auto slash = name.find('/');
        const std::string base = name.substr(0, slash);
        Json& target = slash == std::string::npos ? out : out[base];
        const std::string key = slash == std::string::npos ? name : name.substr(slash + 1);
        target[key] = table_cells(base, column.mean);
        if (aggregated && slash == std::string::npos && has_max_sibling(name)) {
            out[name + "_max"] = table_cells(base, column.max);
            out[name + "_min"] = table_cells(base, column.min);
        }
    }
    return out;
}

}  // namespace

std::string to_api_history_json(const model::HistoryTable& table) {
    const std::int64_t hint = interval_hint_ms(table.times_ms);
    Json root;
    root["api_version"] = kApiVersion;
    root["interval_hint_ms"] = hint;
    root["step_ms"] = table.step_ms > 0 ? table.step_ms : hint;
    root["bucket_ms"] = table.bucket_ms;
    if (table.full_resolution_since_ms) root["full_resolution_since_ms"] = *table.full_resolution_since_ms;
    root["times"] = table.times_ms;
    root["host"] = table_series(table.host, table.aggregated, false);
    root["gpus"] = Json::object();
    for (const auto& [index, series] : table.gpus)
        root["gpus"][std::to_string(index)] = table_series(series, table.aggregated, false);
    root["containers"] = Json::object();
    for (const auto& [id, series] : table.containers)
        root["containers"][id] = table_series(series, table.aggregated, true);
    return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cmon::exporters
