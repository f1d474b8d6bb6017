// Field rules: docs/api.md, "GET /query (legacy)". Keys are emitted in the order of the original's
// example; values keep the original's types (numbers stay numbers even when a source could not say, so
// existing scripts never meet a null where they had a number). Written straight into the text with
// JsonWriter, whose numbers and escapes are nlohmann::json's: the bytes are those of the original
// nlohmann::ordered_json version (tests/golden/query_*.json hold them).
#include "exporters/query_exporter.hpp"

#include <string_view>
#include <unordered_map>

#include "exporters/container_view.hpp"
#include "exporters/format.hpp"
#include "exporters/json_writer.hpp"

namespace cmon::exporters {

namespace {

void write_memory(JsonWriter& w, std::uint64_t used, std::uint64_t total) {
    w.begin_object();
    w.key("perc-used");
    w.number(percent_of(used, total));
    w.key("used/total");
    w.string(gib_pair(used, total));
    w.end_object();
}

void write_gpu(JsonWriter& w, const model::GpuDevice& gpu) {
    const std::uint64_t used = gpu.memory_used_bytes.value_or(0);
    const std::uint64_t total = gpu.memory_total_bytes.value_or(0);
    w.begin_object();
    w.key("id");
    w.number(gpu.index);
    w.key("model");
    w.string(gpu.name);
    w.key("mem-perc-used");
    w.number(percent_of(used, total));
    w.key("mem-used/total");
    w.string(gib_pair(used, total));
    w.key("util-perc");
    w.number(gpu.utilization_percent.value_or(0u));
    w.end_object();
}

void write_gpu_process(JsonWriter& w, const model::GpuProcess& process, const model::Snapshot& snapshot) {
    std::uint64_t total = 0;
    for (const auto& gpu : snapshot.gpus)  // the last GPU of that index, as the original did
        if (gpu.index == process.gpu_index) total = gpu.memory_total_bytes.value_or(0);
    w.begin_object();
    w.key("gpu-idx");
    w.number(process.gpu_index);
    w.key("mem-perc-used");
    w.number(percent_of(process.memory_used_bytes.value_or(0), total));
    w.key("pid");
    w.number(process.pid);
    w.key("sm-util");
    w.number(process.sm_percent.value_or(0u));
    w.end_object();
}

void write_container(JsonWriter& w, const model::ContainerStats& container, const model::Snapshot& snapshot) {
    // Against the container's limit, or the host's memory when unlimited (as the original did).
    std::uint64_t total = container_memory_limit_or_host(snapshot, container);
    if (total == 0 || total > snapshot.host.memory_total_bytes) total = snapshot.host.memory_total_bytes;
    w.begin_object();
    w.key("name");
    w.string(container.name);
    w.key("cpu-perc");
    w.number(round1(container.cpu_percent.value_or(0.0)));
    w.key("mem");
    write_memory(w, container.memory_working_set_bytes.value_or(0), total);
    w.key("gpu-proc");
    w.begin_array();
    for (const auto& process : snapshot.gpu_processes)
        if (process.container_id && *process.container_id == container.id) write_gpu_process(w, process, snapshot);
    w.end_array();
    w.end_object();
}

}  // namespace

std::string to_query_json(const model::Snapshot& snapshot) {
    const model::HostStats& host = snapshot.host;
    std::string out;
    out.reserve(512 + 256 * snapshot.gpus.size() + 256 * snapshot.containers.size());
    JsonWriter w(out);
    w.begin_object();
    w.key("time");
    w.string(local_time_text(snapshot.time));
    w.key("hostname");
    w.string(host.hostname);
    w.key("ip");
    w.string(host.primary_ipv4.empty() ? std::string_view("127.0.0.1") : std::string_view(host.primary_ipv4));
    w.key("note");
    w.string(snapshot.note);

    w.key("host-stats");
    w.begin_object();
    w.key("cpu-perc");
    w.number(round1(host.cpu_busy_percent.value_or(0.0)));
    w.key("mem");
    write_memory(w, host.memory_used_bytes, host.memory_total_bytes);
    w.key("gpu");
    w.begin_array();
    for (const auto& gpu : snapshot.gpus) write_gpu(w, gpu);
    w.end_array();
    w.end_object();

    // Keyed by short id. Two running containers under one short id (a 12-hex prefix collision) keep the
    // first one's place and show the last one's values, as the original's object assignment did.
    std::unordered_map<std::string_view, const model::ContainerStats*> last;
    for (const auto& container : snapshot.containers)
        if (container.state == "running") last[container.short_id] = &container;
    w.key("container-stats");
    w.begin_object();
    for (const auto& container : snapshot.containers) {
        if (container.state != "running") continue;
        const auto found = last.find(container.short_id);
        if (found == last.end()) continue;  // written already, at its first place
        w.key(container.short_id);
        write_container(w, *found->second, snapshot);
        last.erase(found);
    }
    w.end_object();
    w.end_object();
    return out;
}

}  // namespace cmon::exporters
