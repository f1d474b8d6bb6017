// `GET /api/v1/snapshot` (and every SSE frame): the snapshot written straight into its text with
// JsonWriter. The API JSON keeps the model's field names so the page, the docs and the code say the same
// thing. Absent optionals are omitted rather than null: a missing key means "not reported", never zero.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exporters/api_exporter.hpp"
#include "exporters/container_view.hpp"
#include "exporters/format.hpp"
#include "exporters/json_writer.hpp"
#include "exporters/kept_texts.hpp"

namespace cmon::exporters {

namespace {

// One member per call, typed by the model's field.
class ObjectWriter {
public:
    explicit ObjectWriter(JsonWriter& w) : w_(w) {}

    void put(const char* key, const std::string& value) {
        w_.key(key);
        w_.string(value);
    }
    void put(const char* key, const char* value) {
        w_.key(key);
        w_.string(value);
    }
    void put(const char* key, bool value) {
        w_.key(key);
        w_.boolean(value);
    }
    template <class T>
        requires std::is_arithmetic_v<T> && (!std::is_same_v<T, bool>)
    void put(const char* key, T value) {
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(value)) return;  // JSON has no NaN: treat it as not reported
            w_.key(key);
            w_.number(static_cast<double>(value));
        } else {
            w_.key(key);
            w_.number(value);
        }
    }
    void put(const char* key, const model::TimePoint& value) { put(key, rfc3339_utc(value)); }
    void put(const char* key, const model::ByteCounter& counter) {
        w_.key(key);
        w_.begin_object();
        ObjectWriter inner(w_);
        inner.put("bytes_total", counter.bytes_total);
        inner.put("bytes_per_second", counter.bytes_per_second);
        w_.end_object();
    }
    template <class T>
    void put(const char* key, const std::optional<T>& value) {
        if (value) put(key, *value);
    }
    void put(const char* key, const std::vector<std::string>& values) {
        w_.key(key);
        w_.begin_array();
        for (const auto& value : values) w_.string(value);
        w_.end_array();
    }
    template <class T>
        requires std::is_integral_v<T>
    void put(const char* key, const std::vector<T>& values) {
        w_.key(key);
        w_.begin_array();
        for (const T value : values) w_.number(value);
        w_.end_array();
    }
    void put(const char* key, const std::set<unsigned>& values) {
        w_.key(key);
        w_.begin_array();
        for (const unsigned value : values) w_.number(value);
        w_.end_array();
    }

private:
    JsonWriter& w_;
};

void write_host(JsonWriter& w, const model::HostStats& host) {
    w.begin_object();
    ObjectWriter out(w);
    out.put("hostname", host.hostname);
    out.put("primary_ipv4", host.primary_ipv4);
    out.put("cpu_count", host.cpu_count);
    w.key("cpu_times");
    w.begin_object();
    out.put("busy_ticks", host.cpu_times.busy_ticks);
    out.put("total_ticks", host.cpu_times.total_ticks);
    w.end_object();
    out.put("cpu_busy_percent", host.cpu_busy_percent);
    out.put("memory_total_bytes", host.memory_total_bytes);
    out.put("memory_available_bytes", host.memory_available_bytes);
    out.put("memory_used_bytes", host.memory_used_bytes);
    out.put("swap_total_bytes", host.swap_total_bytes);
    out.put("swap_used_bytes", host.swap_used_bytes);
    if (host.load) {
        w.key("load");
        w.begin_object();
        out.put("one", host.load->one);
        out.put("five", host.load->five);
        out.put("fifteen", host.load->fifteen);
        w.end_object();
    }
    out.put("uptime_seconds", host.uptime_seconds);
    w.key("filesystems");
    w.begin_array();
    for (const auto& fs : host.filesystems) {
        w.begin_object();
        out.put("mount_point", fs.mount_point);
        out.put("device", fs.device);
        out.put("fs_type", fs.fs_type);
        out.put("total_bytes", fs.total_bytes);
        out.put("used_bytes", fs.used_bytes);
        out.put("available_bytes", fs.available_bytes);
        w.end_object();
    }
    w.end_array();
    out.put("network_rx", host.network_rx);
    out.put("network_tx", host.network_tx);
    out.put("disk_read", host.disk_read);
    out.put("disk_write", host.disk_write);
    w.end_object();
}

// `gpu_memory` and `gpu_indices`: what the container's processes hold, and on which GPUs (derived for the
// page), from one pass over the GPU processes for all containers.
struct ContainerGpuUse {
    std::optional<std::uint64_t> memory;
    std::set<unsigned> indices;

    bool operator==(const ContainerGpuUse&) const = default;
};

void write_container(JsonWriter& w, const model::ContainerStats& c, const ContainerGpuUse& gpu) {
    w.begin_object();
    ObjectWriter out(w);
    out.put("id", c.id);
    out.put("short_id", c.short_id);
    out.put("name", c.name);
    out.put("image", c.image);
    out.put("state", c.state);
    out.put("started_at", c.started_at);
    w.key("labels");
    w.begin_object();
    for (const auto& [key, value] : c.labels) {
        w.key(key);
        w.string(value);
    }
    w.end_object();
    out.put("init_pid", c.init_pid);
    out.put("cpu_time_ns_total", c.cpu_time_ns_total);
    out.put("cpu_percent", c.cpu_percent);
    out.put("memory_usage_bytes", c.memory_usage_bytes);
    out.put("memory_working_set_bytes", c.memory_working_set_bytes);
    out.put("memory_limit_bytes", c.memory_limit_bytes);
    out.put("pids", c.pids);
    out.put("network_rx", c.network_rx);
    out.put("network_tx", c.network_tx);
    out.put("block_read", c.block_read);
    out.put("block_write", c.block_write);
    out.put("gpus_assigned", c.gpus_assigned);
    out.put("all_gpus_assigned", c.all_gpus_assigned);
    out.put("owner", c.owner.empty() ? c.name : c.owner);
    out.put("gpu_memory_bytes", gpu.memory);
    out.put("gpu_indices", gpu.indices);
    w.end_object();
}

void write_gpu(JsonWriter& w, const model::GpuDevice& g) {
    w.begin_object();
    ObjectWriter out(w);
    out.put("index", g.index);
    out.put("name", g.name);
    out.put("uuid", g.uuid);
    out.put("lost", g.lost);
    out.put("utilization_percent", g.utilization_percent);
    out.put("memory_utilization_percent", g.memory_utilization_percent);
    out.put("memory_used_bytes", g.memory_used_bytes);
    out.put("memory_total_bytes", g.memory_total_bytes);
    out.put("temperature_celsius", g.temperature_celsius);
    out.put("power_draw_milliwatts", g.power_draw_milliwatts);
    out.put("power_limit_milliwatts", g.power_limit_milliwatts);
    out.put("fan_percent", g.fan_percent);
    out.put("mig_enabled", g.mig_enabled);
    out.put("vendor", g.vendor);
    out.put("driver", g.driver);
    out.put("pci_bus_id", g.pci_bus_id);
    out.put("render_node", g.render_node);
    out.put("gtt_memory_used_bytes", g.gtt_memory_used_bytes);
    out.put("gtt_memory_total_bytes", g.gtt_memory_total_bytes);
    out.put("fan_rpm", g.fan_rpm);
    out.put("memory_reserved_bytes", g.memory_reserved_bytes);
    out.put("memory_free_bytes", g.memory_free_bytes);
    out.put("sm_clock_mhz", g.sm_clock_mhz);
    out.put("sm_clock_max_mhz", g.sm_clock_max_mhz);
    out.put("memory_clock_mhz", g.memory_clock_mhz);
    out.put("memory_clock_max_mhz", g.memory_clock_max_mhz);
    out.put("driver_version", g.driver_version);
    if (g.degraded) {
        out.put("degraded", true);
        out.put("degraded_fields", g.degraded_fields);
    }
    out.put("unattributed_memory_bytes", g.unattributed_memory_bytes);
    if (g.processes_hidden) out.put("processes_hidden", true);
    if (!g.mig_devices.empty()) {
        w.key("mig_devices");
        w.begin_array();
        for (const model::MigDevice& m : g.mig_devices) {
            w.begin_object();
            out.put("index", m.index);
            out.put("uuid", m.uuid);
            out.put("profile", m.profile);
            out.put("gpu_instance_id", m.gpu_instance_id);
            out.put("compute_instance_id", m.compute_instance_id);
            out.put("memory_used_bytes", m.memory_used_bytes);
            out.put("memory_total_bytes", m.memory_total_bytes);
            out.put("utilization_percent", m.utilization_percent);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

void write_gpu_process(JsonWriter& w, const model::GpuProcess& p) {
    w.begin_object();
    ObjectWriter out(w);
    out.put("pid", p.pid);
    out.put("gpu_index", p.gpu_index);
    out.put("memory_used_bytes", p.memory_used_bytes);
    out.put("sm_percent", p.sm_percent);
    out.put("type", p.type);
    out.put("container_id", p.container_id);
    out.put("container_pid", p.container_pid);
    out.put("process_exists", p.process_exists);
    out.put("command", p.command);
    out.put("idle_since", p.idle_since);
    if (!p.engine_busy_percent.empty()) {
        w.key("engine_busy_percent");
        w.begin_object();
        for (const auto& [engine, percent] : p.engine_busy_percent) out.put(engine.c_str(), percent);
        w.end_object();
    }
    out.put("gpu_instance_id", p.gpu_instance_id);
    out.put("compute_instance_id", p.compute_instance_id);
    if (p.mps) out.put("mps", true);
    w.end_object();
}

void write_source(JsonWriter& w, const model::SourceHealth& h) {
    w.begin_object();
    ObjectWriter out(w);
    out.put("name", h.name);
    out.put("ok", h.ok);
    out.put("error", h.error);
    if (!h.note.empty()) out.put("note", h.note);
    out.put("last_success", h.last_success);
    if (h.degraded) {
        out.put("degraded", true);
        out.put("warnings", h.warnings);
    }
    w.end_object();
}

// What a container's text is written from, and a reference to it: the row is copied only when its text
// is written.
struct ContainerRef {
    const model::ContainerStats& row;
    const ContainerGpuUse& gpu;
};

struct ContainerInputs {
    model::ContainerStats row;
    ContainerGpuUse gpu;

    ContainerInputs() = default;
    explicit ContainerInputs(const ContainerRef& ref) : row(ref.row), gpu(ref.gpu) {}
    bool operator==(const ContainerRef& ref) const { return row == ref.row && gpu == ref.gpu; }
};

}  // namespace

struct ApiSnapshotWriter::Fragments {
    std::mutex mutex;
    KeptTexts<ContainerInputs> texts;
    // What the last document was, for the next one's delta.
    std::optional<std::uint64_t> sequence;
    std::vector<std::string> ids;  // its containers, in order
    // Its members a delta leaves out when the new ones are the same bytes.
    std::string host, gpus, gpu_processes, sources;
};

namespace {

// The document; each container's text comes from `fragments` when given (and is kept there), else is
// written in place.
// Where the parts of a document that a delta repeats lie in its text, and which containers' texts were
// written anew (the rest are the same bytes as in the document before).
struct Layout {
    std::pair<std::size_t, std::size_t> host, gpus, gpu_processes, sources;  // [begin, end) of each value
    std::vector<std::pair<std::size_t, std::size_t>> changed;
};

std::string write_api_json(const model::Snapshot& snapshot, const std::string* title,
                           ApiSnapshotWriter::Fragments* fragments, Layout* layout = nullptr) {
    // Only the few containers that GPU processes are attributed to get an entry.
    const ContainerGpuMemory memory(snapshot);
    std::unordered_map<std::string_view, std::set<unsigned>> gpu_indices;
    for (const auto& p : snapshot.gpu_processes) {
        if (p.container_id) gpu_indices[*p.container_id].insert(p.gpu_index);
    }
    const std::set<unsigned> no_gpus;

    std::string text;
    text.reserve(1024 + snapshot.containers.size() * 768 + snapshot.gpu_processes.size() * 256);
    JsonWriter w(text);
    w.begin_object();
    ObjectWriter root(w);
    root.put("api_version", kApiVersion);
    root.put("sequence", snapshot.sequence);
    root.put("time", snapshot.time);
    root.put("note", snapshot.note);
    if (title) root.put("title", *title);
    Layout scratch;
    Layout& at = layout != nullptr ? *layout : scratch;
    w.key("host");
    at.host.first = text.size();
    write_host(w, snapshot.host);
    at.host.second = text.size();
    w.key("containers");
    w.begin_array();
    if (fragments != nullptr) fragments->texts.begin();
    for (const auto& c : snapshot.containers) {
        const auto indices = gpu_indices.find(c.id);
        const ContainerGpuUse gpu{memory.of(c.id), indices != gpu_indices.end() ? indices->second : no_gpus};
        if (fragments == nullptr) {
            write_container(w, c, gpu);
            continue;
        }
        const std::size_t written = fragments->texts.written();
        const std::size_t before = text.size();
        w.raw(fragments->texts.text(c.id, ContainerRef{c, gpu}, [&](std::string& text) {
            JsonWriter own(text);
            write_container(own, c, gpu);
        }));
        if (layout != nullptr && fragments->texts.written() != written) {
            // Its text starts after the separating comma, if raw() wrote one.
            layout->changed.emplace_back(before + (text[before] == ',' ? 1 : 0), text.size());
        }
    }
    if (fragments != nullptr) fragments->texts.end();
    w.end_array();
    w.key("gpus");
    at.gpus.first = text.size();
    w.begin_array();
    for (const auto& g : snapshot.gpus) write_gpu(w, g);
    w.end_array();
    at.gpus.second = text.size();
    w.key("gpu_processes");
    at.gpu_processes.first = text.size();
    w.begin_array();
    for (const auto& p : snapshot.gpu_processes) write_gpu_process(w, p);
    w.end_array();
    at.gpu_processes.second = text.size();
    w.key("sources");
    at.sources.first = text.size();
    w.begin_array();
    for (const auto& h : snapshot.sources) write_source(w, h);
    w.end_array();
    at.sources.second = text.size();
    w.end_object();
    return text;
}

// Which of the document's members a delta carries: those whose text is not the same as the document
// before's. On a server of idle GPUs the GPU lists stay the same bytes for minutes.
struct Moved {
    bool host = true;
    bool gpus = true;
    bool gpu_processes = true;
    bool sources = true;
};

// The delta from the document before to `full` (docs/api.md, "Deltas"): "time", "note", "title" and
// "sequence" as in `full`; "host", "gpus", "gpu_processes" and "sources" only where they changed; of the
// containers only those whose text changed ("containers_changed", whole) and, when the list is not the
// same ids in the same order, "container_ids". A client applies it to the document of sequence "base"
// and has `full`.
std::string write_api_delta(const model::Snapshot& snapshot, const std::string* title, const std::string& full,
                            const Layout& at, std::uint64_t base, const std::vector<std::string>* ids,
                            const Moved& moved) {
    const auto slice = [&](const std::pair<std::size_t, std::size_t>& range) {
        return std::string_view(full).substr(range.first, range.second - range.first);
    };
    std::string text;
    text.reserve(full.size() - (at.sources.first - at.host.first) + 256);
    JsonWriter w(text);
    w.begin_object();
    ObjectWriter root(w);
    root.put("api_version", kApiVersion);
    root.put("sequence", snapshot.sequence);
    root.put("base", base);
    root.put("time", snapshot.time);
    root.put("note", snapshot.note);
    if (title) root.put("title", *title);
    const auto member = [&](const char* key, const std::pair<std::size_t, std::size_t>& range, bool changed) {
        if (!changed) return;
        w.key(key);
        w.raw(slice(range));
    };
    member("host", at.host, moved.host);
    w.key("containers_changed");
    w.begin_array();
    for (const auto& container : at.changed) w.raw(slice(container));
    w.end_array();
    if (ids != nullptr) {
        w.key("container_ids");
        w.begin_array();
        for (const std::string& id : *ids) w.string(id);
        w.end_array();
    }
    member("gpus", at.gpus, moved.gpus);
    member("gpu_processes", at.gpu_processes, moved.gpu_processes);
    member("sources", at.sources, moved.sources);
    w.end_object();
    return text;
}

}  // namespace

std::string to_api_json(const model::Snapshot& snapshot, const std::string* title) {
    return write_api_json(snapshot, title, nullptr);
}

ApiSnapshotWriter::ApiSnapshotWriter() : fragments_(std::make_unique<Fragments>()) {}
ApiSnapshotWriter::~ApiSnapshotWriter() = default;

std::string ApiSnapshotWriter::write(const model::Snapshot& snapshot, const std::string* title) {
    return write_with_delta(snapshot, title).full;
}

ApiSnapshotWriter::Document ApiSnapshotWriter::write_with_delta(const model::Snapshot& snapshot,
                                                                const std::string* title) {
    std::lock_guard lock(fragments_->mutex);
    Layout layout;
    Document out;
    out.full = write_api_json(snapshot, title, fragments_.get(), &layout);
    // The ids are copied only when the list changed: most seconds it is the same ids in the same order.
    std::vector<std::string>& ids = fragments_->ids;
    const bool same_ids = std::equal(ids.begin(), ids.end(), snapshot.containers.begin(), snapshot.containers.end(),
                                     [](const std::string& id, const model::ContainerStats& c) { return id == c.id; });
    if (!same_ids) {
        ids.clear();
        for (const auto& c : snapshot.containers) ids.push_back(c.id);
    }
    // Each member's text is kept for the next delta; comparing it costs a memcmp, sending it a copy of
    // kilobytes on the client's socket every second.
    const auto keep = [&](std::string& kept, const std::pair<std::size_t, std::size_t>& range) {
        const std::string_view now = std::string_view(out.full).substr(range.first, range.second - range.first);
        if (now == kept) return false;
        kept.assign(now);
        return true;
    };
    const Moved moved{.host = keep(fragments_->host, layout.host),
                      .gpus = keep(fragments_->gpus, layout.gpus),
                      .gpu_processes = keep(fragments_->gpu_processes, layout.gpu_processes),
                      .sources = keep(fragments_->sources, layout.sources)};
    // Only from the sequence just before: the kept texts tell what changed since the last document.
    // A document with one id twice (never from Docker) cannot be told apart by id: no delta.
    if (fragments_->sequence && *fragments_->sequence + 1 == snapshot.sequence && !fragments_->texts.repeated()) {
        out.delta = write_api_delta(snapshot, title, out.full, layout, *fragments_->sequence,
                                    same_ids ? nullptr : &ids, moved);
    }
    fragments_->sequence = snapshot.sequence;
    return out;
}

std::size_t ApiSnapshotWriter::last_written() const {
    std::lock_guard lock(fragments_->mutex);
    return fragments_->texts.written();
}

}  // namespace cmon::exporters
