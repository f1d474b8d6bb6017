// The API JSON keeps the model's field names so the page, the docs and the code say the same thing.
// Absent optionals are omitted rather than null: a missing key means "not reported", never zero.
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

void put(Json& object, const char* key, double value) {
    if (std::isfinite(value)) object[key] = value;  // JSON has no NaN: treat it as not reported
}
template <class T>
void put(Json& object, const char* key, const T& value) {
    object[key] = value;
}
void put(Json& object, const char* key, const model::TimePoint& value) { object[key] = rfc3339_utc(value); }
void put(Json& object, const char* key, const model::ByteCounter& counter) {
    Json value = {{"bytes_total", counter.bytes_total}};
    if (counter.bytes_per_second) put(value, "bytes_per_second", *counter.bytes_per_second);
    object[key] = std::move(value);
}
template <class T>
void put(Json& object, const char* key, const std::optional<T>& value) {
    if (value) put(object, key, *value);
}

Json host_value(const model::HostStats& host) {
    Json out;
    put(out, "hostname", host.hostname);
    put(out, "primary_ipv4", host.primary_ipv4);
    put(out, "cpu_count", host.cpu_count);
    out["cpu_times"] = {{"busy_ticks", host.cpu_times.busy_ticks}, {"total_ticks", host.cpu_times.total_ticks}};
    put(out, "cpu_busy_percent", host.cpu_busy_percent);
    put(out, "memory_total_bytes", host.memory_total_bytes);
    put(out, "memory_available_bytes", host.memory_available_bytes);
    put(out, "memory_used_bytes", host.memory_used_bytes);
    put(out, "swap_total_bytes", host.swap_total_bytes);
    put(out, "swap_used_bytes", host.swap_used_bytes);
    if (host.load) {
        Json load;
        put(load, "one", host.load->one);
        put(load, "five", host.load->five);
        put(load, "fifteen", host.load->fifteen);
        out["load"] = std::move(load);
    }
    put(out, "uptime_seconds", host.uptime_seconds);
    Json filesystems = Json::array();
    for (const auto& fs : host.filesystems) {
        filesystems.push_back({{"mount_point", fs.mount_point},
                               {"device", fs.device},
                               {"fs_type", fs.fs_type},
                               {"total_bytes", fs.total_bytes},
                               {"used_bytes", fs.used_bytes},
                               {"available_bytes", fs.available_bytes}});
    }
    out["filesystems"] = std::move(filesystems);
    put(out, "network_rx", host.network_rx);
    put(out, "network_tx", host.network_tx);
    put(out, "disk_read", host.disk_read);
    put(out, "disk_write", host.disk_write);
    return out;
}

Json container_value(const model::ContainerStats& c, const model::Snapshot& snapshot) {
    Json out;
    put(out, "id", c.id);
    put(out, "short_id", c.short_id);
    put(out, "name", c.name);
    put(out, "image", c.image);
    put(out, "state", c.state);
    put(out, "started_at", c.started_at);
    out["labels"] = Json::object();
    for (const auto& [key, value] : c.labels) out["labels"][key] = value;
    put(out, "init_pid", c.init_pid);
    put(out, "cpu_time_ns_total", c.cpu_time_ns_total);
    put(out, "cpu_percent", c.cpu_percent);
    put(out, "memory_usage_bytes", c.memory_usage_bytes);
    put(out, "memory_working_set_bytes", c.memory_working_set_bytes);
    put(out, "memory_limit_bytes", c.memory_limit_bytes);
    put(out, "pids", c.pids);
    put(out, "network_rx", c.network_rx);
    put(out, "network_tx", c.network_tx);
    put(out, "block_read", c.block_read);
    put(out, "block_write", c.block_write);
    put(out, "gpus_assigned", c.gpus_assigned);
    put(out, "all_gpus_assigned", c.all_gpus_assigned);
    put(out, "owner", c.owner.empty() ? c.name : c.owner);

    // Derived for the page: what the container's processes hold, and on which GPUs.
    put(out, "gpu_memory_bytes", container_gpu_memory(snapshot, c.id));
    std::set<unsigned> indices;
    for (const auto& process : snapshot.gpu_processes)
        if (process.container_id == c.id) indices.insert(process.gpu_index);
    out["gpu_indices"] = indices;
    return out;
}

Json gpu_value(const model::GpuDevice& g) {
    Json out;
    put(out, "index", g.index);
    put(out, "name", g.name);
    put(out, "uuid", g.uuid);
    put(out, "lost", g.lost);
    put(out, "utilization_percent", g.utilization_percent);
    put(out, "memory_utilization_percent", g.memory_utilization_percent);
    put(out, "memory_used_bytes", g.memory_used_bytes);
    put(out, "memory_total_bytes", g.memory_total_bytes);
    put(out, "temperature_celsius", g.temperature_celsius);
    put(out, "power_draw_milliwatts", g.power_draw_milliwatts);
    put(out, "power_limit_milliwatts", g.power_limit_milliwatts);
    put(out, "fan_percent", g.fan_percent);
    put(out, "mig_enabled", g.mig_enabled);
    put(out, "vendor", g.vendor);
    put(out, "driver", g.driver);
    put(out, "pci_bus_id", g.pci_bus_id);
    put(out, "render_node", g.render_node);
    put(out, "gtt_memory_used_bytes", g.gtt_memory_used_bytes);
    put(out, "gtt_memory_total_bytes", g.gtt_memory_total_bytes);
    put(out, "fan_rpm", g.fan_rpm);
    put(out, "memory_reserved_bytes", g.memory_reserved_bytes);
    put(out, "memory_free_bytes", g.memory_free_bytes);
    put(out, "sm_clock_mhz", g.sm_clock_mhz);
    put(out, "sm_clock_max_mhz", g.sm_clock_max_mhz);
    put(out, "memory_clock_mhz", g.memory_clock_mhz);
    put(out, "memory_clock_max_mhz", g.memory_clock_max_mhz);
    put(out, "driver_version", g.driver_version);
    if (g.degraded) {
        put(out, "degraded", true);
        out["degraded_fields"] = g.degraded_fields;
    }
    put(out, "unattributed_memory_bytes", g.unattributed_memory_bytes);
    if (g.processes_hidden) put(out, "processes_hidden", true);
    if (!g.mig_devices.empty()) {
        Json migs = Json::array();
        for (const model::MigDevice& m : g.mig_devices) {
            Json mig;
            put(mig, "index", m.index);
            put(mig, "uuid", m.uuid);
            put(mig, "profile", m.profile);
            put(mig, "gpu_instance_id", m.gpu_instance_id);
            put(mig, "compute_instance_id", m.compute_instance_id);
            put(mig, "memory_used_bytes", m.memory_used_bytes);
            put(mig, "memory_total_bytes", m.memory_total_bytes);
            put(mig, "utilization_percent", m.utilization_percent);
            migs.push_back(std::move(mig));
        }
        out["mig_devices"] = std::move(migs);
    }
    return out;
}

Json gpu_process_value(const model::GpuProcess& p) {
    Json out;
    put(out, "pid", p.pid);
    put(out, "gpu_index", p.gpu_index);
    put(out, "memory_used_bytes", p.memory_used_bytes);
    put(out, "sm_percent", p.sm_percent);
    put(out, "type", p.type);
    put(out, "container_id", p.container_id);
    put(out, "container_pid", p.container_pid);
    put(out, "process_exists", p.process_exists);
    put(out, "command", p.command);
    put(out, "idle_since", p.idle_since);
    if (!p.engine_busy_percent.empty()) {
        Json engines = Json::object();
        for (const auto& [engine, percent] : p.engine_busy_percent) put(engines, engine.c_str(), percent);
        out["engine_busy_percent"] = std::move(engines);
    }
    put(out, "gpu_instance_id", p.gpu_instance_id);
    put(out, "compute_instance_id", p.compute_instance_id);
    if (p.mps) put(out, "mps", true);
    return out;
}

Json source_value(const model::SourceHealth& h) {
    Json out;
    put(out, "name", h.name);
    put(out, "ok", h.ok);
    put(out, "error", h.error);
    if (!h.note.empty()) put(out, "note", h.note);
    put(out, "last_success", h.last_success);
    if (h.degraded) {
        put(out, "degraded", true);
        out["warnings"] = h.warnings;
    }
    return out;
}

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

nlohmann::json api_snapshot_value(const model::Snapshot& snapshot) {
    Json root;
    root["api_version"] = kApiVersion;
    root["sequence"] = snapshot.sequence;
    root["time"] = rfc3339_utc(snapshot.time);
    root["note"] = snapshot.note;
    root["host"] = host_value(snapshot.host);
    root["containers"] = Json::array();
    for (const auto& c : snapshot.containers) root["containers"].push_back(container_value(c, snapshot));
    root["gpus"] = Json::array();
    for (const auto& g : snapshot.gpus) root["gpus"].push_back(gpu_value(g));
    root["gpu_processes"] = Json::array();
    for (const auto& p : snapshot.gpu_processes) root["gpu_processes"].push_back(gpu_process_value(p));
    root["sources"] = Json::array();
    for (const auto& h : snapshot.sources) root["sources"].push_back(source_value(h));
    return root;
}

std::string to_api_json(const model::Snapshot& snapshot) {
    return api_snapshot_value(snapshot).dump(-1, ' ', false, Json::error_handler_t::replace);
}

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
