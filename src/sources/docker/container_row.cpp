#include "sources/docker/container_row.hpp"

#include <string_view>
#include <utility>

namespace cmon::sources {

namespace {

std::optional<model::ByteCounter> counter(const std::optional<std::uint64_t>& bytes) {
    return bytes ? std::optional(model::ByteCounter{*bytes, std::nullopt}) : std::nullopt;
}

}  // namespace

model::ContainerStats row_of(const DockerContainerSummary& summary, const DockerInspect& inspect) {
    model::ContainerStats row;
    row.id = summary.id;
    row.short_id = summary.id.substr(0, 12);
    if (!summary.names.empty()) {
        std::string_view name = summary.names.front();
        row.name = std::string(name.starts_with('/') ? name.substr(1) : name);
    }
    row.image = summary.image;
    row.state = summary.state;
    row.labels = summary.labels;
    row.init_pid = inspect.pid;
    row.started_at = inspect.started_at;
    GpuAssignment gpus = gpu_assignment(inspect);
    row.gpus_assigned = std::move(gpus.indices);
    row.all_gpus_assigned = gpus.all;
    return row;
}

void set_usage(model::ContainerStats& row, const CgroupStats& stats) {
    row.cpu_time_ns_total = stats.cpu_time_ns_total;
    row.memory_usage_bytes = stats.memory_usage_bytes;
    row.memory_working_set_bytes = stats.memory_working_set_bytes;
    row.memory_limit_bytes = stats.memory_limit_bytes;
    row.pids = stats.pids;
    row.block_read = counter(stats.block_read_bytes_total);
    row.block_write = counter(stats.block_write_bytes_total);
    row.cpu_user_ns_total = stats.cpu_user_ns_total;
    row.cpu_system_ns_total = stats.cpu_system_ns_total;
    row.memory_rss_bytes = stats.memory_rss_bytes;
    row.memory_cache_bytes = stats.memory_cache_bytes;
    row.memory_swap_bytes = stats.memory_swap_bytes;
    row.memory_failcnt = stats.memory_failcnt;
    row.oom_kill_events_total = stats.oom_kill_events_total;
    row.cpu_quota_us = stats.cpu_quota_us;
    row.cpu_period_us = stats.cpu_period_us;
}

void set_network(model::ContainerStats& row, std::optional<std::uint64_t> rx_bytes,
                 std::optional<std::uint64_t> tx_bytes) {
    row.network_rx = counter(rx_bytes);
    row.network_tx = counter(tx_bytes);
}

}  // namespace cmon::sources
