// Field rules: docs/api.md, "GET /query (legacy)". Keys are emitted in the order of the original's
// example; values keep the original's types (numbers stay numbers even when a source could not say, so
// existing scripts never meet a null where they had a number).
#include "exporters/query_exporter.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <unordered_map>

#include "exporters/container_view.hpp"
#include "exporters/format.hpp"

namespace cmon::exporters {

namespace {

using Json = nlohmann::ordered_json;

Json host_memory(const model::HostStats& host) {
    Json mem;
    mem["perc-used"] = percent_of(host.memory_used_bytes, host.memory_total_bytes);
    mem["used/total"] = gib_pair(host.memory_used_bytes, host.memory_total_bytes);
    return mem;
}

Json gpu_entry(const model::GpuDevice& gpu) {
    std::uint64_t used = gpu.memory_used_bytes.value_or(0);
    std::uint64_t total = gpu.memory_total_bytes.value_or(0);
    Json entry;
    entry["id"] = gpu.index;
    entry["model"] = gpu.name;
    entry["mem-perc-used"] = percent_of(used, total);
    entry["mem-used/total"] = gib_pair(used, total);
    entry["util-perc"] = gpu.utilization_percent.value_or(0);
    return entry;
}

Json gpu_process_entry(const model::GpuProcess& process, const model::Snapshot& snapshot) {
    std::uint64_t total = 0;
    for (const auto& gpu : snapshot.gpus)
        if (gpu.index == process.gpu_index) total = gpu.memory_total_bytes.value_or(0);
    Json entry;
    entry["gpu-idx"] = process.gpu_index;
    entry["mem-perc-used"] = percent_of(process.memory_used_bytes.value_or(0), total);
    entry["pid"] = process.pid;
    entry["sm-util"] = process.sm_percent.value_or(0);
    return entry;
}

Json container_entry(const model::ContainerStats& container, const model::Snapshot& snapshot) {
    // Against the container's limit, or the host's memory when unlimited (as the original did).
    std::uint64_t total = container_memory_limit_or_host(snapshot, container);
    if (total == 0 || total > snapshot.host.memory_total_bytes) total = snapshot.host.memory_total_bytes;
    std::uint64_t used = container.memory_working_set_bytes.value_or(0);
    Json entry;
    entry["name"] = container.name;
    entry["cpu-perc"] = round1(container.cpu_percent.value_or(0.0));
    entry["mem"] = Json{{"perc-used", percent_of(used, total)}, {"used/total", gib_pair(used, total)}};
    Json processes = Json::array();
    for (const auto& process : snapshot.gpu_processes)
        if (process.container_id && *process.container_id == container.id)
            processes.push_back(gpu_process_entry(process, snapshot));
    entry["gpu-proc"] = std::move(processes);
    return entry;
}

}  // namespace

std::string to_query_json(const model::Snapshot& snapshot) {
    const model::HostStats& host = snapshot.host;
    Json root;
    root["time"] = local_time_text(snapshot.time);
    root["hostname"] = host.hostname;
    root["ip"] = host.primary_ipv4.empty() ? std::string("127.0.0.1") : host.primary_ipv4;
    root["note"] = snapshot.note;

    Json host_stats;
    host_stats["cpu-perc"] = round1(host.cpu_busy_percent.value_or(0.0));
    host_stats["mem"] = host_memory(host);
    Json gpus = Json::array();
    for (const auto& gpu : snapshot.gpus) gpus.push_back(gpu_entry(gpu));
    host_stats["gpu"] = std::move(gpus);
    root["host-stats"] = std::move(host_stats);

    Json containers = Json::object();
    for (const auto& container : snapshot.containers) {
        if (container.state != "running") continue;
        containers[container.short_id] = container_entry(container, snapshot);
    }
    root["container-stats"] = std::move(containers);
    return root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cmon::exporters
