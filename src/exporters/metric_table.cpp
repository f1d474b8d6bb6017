// The metric table. Outside names and help texts are copied from their origin so dashboards and alerts
// written for them keep working: cAdvisor's container_* (metrics/prometheus.go) and dcgm-exporter's
// DCGM_FI_DEV_* (etc/default-counters.csv, with its units: MiB, W, C). Our own metrics start with cmon_.
#include "exporters/metric_table.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <stdexcept>
#include <tuple>

#include "exporters/container_view.hpp"

namespace cmon::exporters {

namespace {

using model::ContainerStats;
using model::Filesystem;
using model::GpuDevice;
using model::GpuProcess;
using model::Snapshot;
using model::SourceHealth;
using Ctx = MetricContext;
using Value = std::optional<double>;

constexpr MetricType kGauge = MetricType::gauge;
constexpr MetricType kCounter = MetricType::counter;
constexpr std::uint64_t kMiB = 1024ull * 1024ull;

template <class T>
Value value(const std::optional<T>& optional) {
    if (!optional) return std::nullopt;
    return static_cast<double>(*optional);
}

Value counter_total(const std::optional<model::ByteCounter>& counter) {
    if (!counter) return std::nullopt;
    return static_cast<double>(counter->bytes_total);
}

// DCGM reports framebuffer sizes in whole MiB (NVML bytes / 2^20, truncated).
Value whole_mib(std::optional<std::uint64_t> bytes) {
    if (!bytes) return std::nullopt;
    const std::uint64_t whole = *bytes / kMiB;  // truncation intended
    return static_cast<double>(whole);
}

Value seconds_of_ns(const std::optional<std::uint64_t>& ns) {
    if (!ns) return std::nullopt;
    return static_cast<double>(*ns) / 1e9;
}

Value interface_value(const InterfaceRow& row, std::uint64_t model::NetworkInterface::*field) {
    if (!row.interface) return std::nullopt;
    return static_cast<double>(row.interface->*field);
}

double unix_seconds(model::TimePoint time) {
    return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

const std::vector<std::string_view> kContainer = {"id", "name", "image"};
const std::vector<std::string_view> kInterface = {"id", "name", "image", "interface"};
const std::vector<std::string_view> kAccount = {"name", "id", "owner", "gpu", "uuid"};
const std::vector<std::string_view> kDcgm = {"gpu", "UUID", "device", "modelName", "Hostname"};
const std::vector<std::string_view> kProcess = {"pid", "gpu", "container", "container_id"};
const std::vector<std::string_view> kProcessEngine = {"pid", "gpu", "container", "container_id", "engine"};
const std::vector<std::string_view> kContainerEngine = {"id", "name", "image", "gpu", "engine"};
const std::vector<std::string_view> kFilesystem = {"mountpoint", "device", "fstype"};
// Vendor-neutral GPU series (every vendor, same names): alert rules written once work on AMD and Intel too.
const std::vector<std::string_view> kGpu = {"gpu", "vendor", "uuid", "pci", "model"};

[[noreturn]] void unknown_label(std::string_view subject, std::string_view label) {
    throw std::logic_error(fmt::format("metric table: {} has no label \"{}\"", subject, label));
}

}  // namespace

MetricContext::MetricContext(const model::Snapshot& snapshot, const PrometheusOptions& options)
    : snapshot_(snapshot), options_(options) {
    for (const auto& container : snapshot.containers) containers_[container.id] = &container;
    gpu_memory_ = container_gpu_memory_by_id(snapshot);
    for (const auto& process : snapshot.gpu_processes) {
        if (!process.container_id || !process.sm_percent) continue;
        auto& sum = gpu_utilization_[*process.container_id];
        sum = sum.value_or(0.0) + *process.sm_percent / 100.0;
    }
    for (const auto& container : snapshot.containers) {
        for (const auto& interface : container.network_interfaces) interface_rows_.push_back({&container, &interface});
        if (container.network_interfaces.empty() && (container.network_rx || container.network_tx))
            interface_rows_.push_back({&container, nullptr});
    }
    // Per-engine rows: each process's engines, and per (container, GPU, engine) the sum over the
    // container's processes, at most 1 (one engine class of one GPU cannot be more than fully busy).
    std::map<std::tuple<std::string, unsigned, std::string>, double> container_engines;
    for (const auto& process : snapshot.gpu_processes) {
        for (const auto& [engine, percent] : process.engine_busy_percent) {
            process_engine_rows_.push_back({&process, &engine, percent});
            if (process.container_id && containers_.contains(*process.container_id))
                container_engines[{*process.container_id, process.gpu_index, engine}] += percent / 100.0;
        }
    }
    for (const auto& [key, ratio] : container_engines) {
        const auto& [id, gpu, engine] = key;
        container_engine_rows_.push_back({containers_.at(id), gpu, engine, std::min(1.0, ratio)});
    }
    if (options.accounting) {
        for (const auto& account : options.accounting->containers)
            for (const auto& gpu : account.gpus) account_rows_.push_back({&account, &gpu});
    }
}

std::optional<double> MetricContext::container_gpu_utilization(const std::string& id) const {
    auto found = gpu_utilization_.find(id);
    if (found != gpu_utilization_.end()) return found->second;
    // A container without GPU processes uses none of any GPU; one whose processes report no rate: unknown.
    for (const auto& process : snapshot_.gpu_processes)
        if (process.container_id == id) return std::nullopt;
    return 0.0;
}

const model::ContainerStats* MetricContext::container(const std::string& id) const {
    auto found = containers_.find(id);
    return found == containers_.end() ? nullptr : found->second;
}

std::optional<std::uint64_t> MetricContext::container_gpu_memory(const std::string& id) const {
    auto found = gpu_memory_.find(id);
    return found == gpu_memory_.end() ? std::nullopt : found->second;
}

const std::vector<MetricSpec>& metric_table() {
    // clang-format off
    static const std::vector<MetricSpec> table = {
    // Containers, as cAdvisor names them. The id label is the cgroup path cAdvisor uses.
    {"container_cpu_usage_seconds_total", kCounter, "seconds", kContainer,
     "Cumulative cpu time consumed in seconds.",
     +[](const ContainerStats& c, const Ctx&) -> Value {
         if (!c.cpu_time_ns_total) return std::nullopt;
         return static_cast<double>(*c.cpu_time_ns_total) / 1e9;
     }},
    {"container_memory_usage_bytes", kGauge, "bytes", kContainer,
     "Current memory usage in bytes, including all memory regardless of when it was accessed",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_usage_bytes); }},
    {"container_memory_working_set_bytes", kGauge, "bytes", kContainer,
     "Current working set in bytes.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_working_set_bytes); }},
    // cAdvisor reports 0 for "no limit"; we only know there is none when memory was read at all.
    {"container_spec_memory_limit_bytes", kGauge, "bytes", kContainer,
     "Memory limit for the container.",
     +[](const ContainerStats& c, const Ctx&) -> Value {
         if (c.memory_limit_bytes) return static_cast<double>(*c.memory_limit_bytes);
         if (c.memory_usage_bytes || c.memory_working_set_bytes) return 0.0;
         return std::nullopt;
     }},
    // Per interface of the container's own network namespace (loopback excluded), as cAdvisor.
    {"container_network_receive_bytes_total", kCounter, "bytes", kInterface,
     "Cumulative count of bytes received",
     +[](const InterfaceRow& r, const Ctx&) -> Value {
         if (r.interface) return static_cast<double>(r.interface->rx_bytes);
         return counter_total(r.container->network_rx);
     }},
    {"container_network_transmit_bytes_total", kCounter, "bytes", kInterface,
     "Cumulative count of bytes transmitted",
     +[](const InterfaceRow& r, const Ctx&) -> Value {
         if (r.interface) return static_cast<double>(r.interface->tx_bytes);
         return counter_total(r.container->network_tx);
     }},
    {"container_network_receive_packets_total", kCounter, "", kInterface,
     "Cumulative count of packets received",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::rx_packets); }},
    {"container_network_transmit_packets_total", kCounter, "", kInterface,
     "Cumulative count of packets transmitted",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::tx_packets); }},
    {"container_network_receive_errors_total", kCounter, "", kInterface,
     "Cumulative count of errors encountered while receiving",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::rx_errors); }},
    {"container_network_transmit_errors_total", kCounter, "", kInterface,
     "Cumulative count of errors encountered while transmitting",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::tx_errors); }},
    {"container_network_receive_packets_dropped_total", kCounter, "", kInterface,
     "Cumulative count of packets dropped while receiving",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::rx_dropped); }},
    {"container_network_transmit_packets_dropped_total", kCounter, "", kInterface,
     "Cumulative count of packets dropped while transmitting",
     +[](const InterfaceRow& r, const Ctx&) -> Value { return interface_value(r, &model::NetworkInterface::tx_dropped); }},
    {"container_fs_reads_bytes_total", kCounter, "bytes", kContainer,
     "Cumulative count of bytes read",
     +[](const ContainerStats& c, const Ctx&) { return counter_total(c.block_read); }},
    {"container_fs_writes_bytes_total", kCounter, "bytes", kContainer,
     "Cumulative count of bytes written",
     +[](const ContainerStats& c, const Ctx&) { return counter_total(c.block_write); }},
    {"container_processes", kGauge, "", kContainer,
     "Number of processes running inside the container.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.pids); }},
    {"container_cpu_user_seconds_total", kCounter, "seconds", kContainer,
     "Cumulative user cpu time consumed in seconds.",
     +[](const ContainerStats& c, const Ctx&) { return seconds_of_ns(c.cpu_user_ns_total); }},
    {"container_cpu_system_seconds_total", kCounter, "seconds", kContainer,
     "Cumulative system cpu time consumed in seconds.",
     +[](const ContainerStats& c, const Ctx&) { return seconds_of_ns(c.cpu_system_ns_total); }},
    {"container_memory_rss", kGauge, "bytes", kContainer, "Size of RSS in bytes.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_rss_bytes); }},
    {"container_memory_cache", kGauge, "bytes", kContainer, "Number of bytes of page cache memory.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_cache_bytes); }},
    {"container_memory_swap", kGauge, "bytes", kContainer, "Container swap usage in bytes.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_swap_bytes); }},
    // A counter in cAdvisor, declared gauge here: promtool requires counters to end in _total, and PromQL
    // (rate, increase) reads the samples the same either way.
    {"container_memory_failcnt", kGauge, "", kContainer, "Number of memory usage hits limits",
     +[](const ContainerStats& c, const Ctx&) { return value(c.memory_failcnt); }},
    {"container_oom_events_total", kCounter, "", kContainer,
     "Count of out of memory events observed for the container",
     +[](const ContainerStats& c, const Ctx&) { return value(c.oom_kill_events_total); }},
    {"container_start_time_seconds", kGauge, "seconds", kContainer,
     "Start time of the container since unix epoch in seconds.",
     +[](const ContainerStats& c, const Ctx&) -> Value {
         if (!c.started_at) return std::nullopt;
         return unix_seconds(*c.started_at);
     }},
    // cAdvisor exports these only for a container with a quota (resp. a period), in microseconds.
    {"container_spec_cpu_quota", kGauge, "", kContainer, "CPU quota of the container.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.cpu_quota_us); }},
    {"container_spec_cpu_period", kGauge, "", kContainer, "CPU period of the container.",
     +[](const ContainerStats& c, const Ctx&) { return value(c.cpu_period_us); }},
    {"container_last_seen", kGauge, "seconds", kContainer,
     "Last time a container was seen by the exporter",
     +[](const ContainerStats&, const Ctx& x) -> Value { return unix_seconds(x.snapshot().time); }},
    {"cmon_container_gpu_memory_bytes", kGauge, "bytes", kContainer,
     "GPU memory held by the container's processes, summed over processes and GPUs.",
     +[](const ContainerStats& c, const Ctx& x) { return value(x.container_gpu_memory(c.id)); }},
    {"cmon_container_gpu_utilization_ratio", kGauge, "ratio", kContainer,
     "GPU busy share of the container's processes, summed over processes and GPUs (1.5 = one and a half GPUs).",
     +[](const ContainerStats& c, const Ctx& x) { return x.container_gpu_utilization(c.id); }},
    {"cmon_container_info", kGauge, "", {"id", "name", "image", "owner"},
     "Always 1; the labels say who owns the container (--owner-label, --owner-pattern, else its name).",
     +[](const ContainerStats&, const Ctx&) -> Value { return 1.0; }},
    // GPU accounting since the monitor started (sampling/gpu_accountant.hpp); increase() over any window
    // gives GPU-seconds, across restarts of the monitor.
    {"cmon_container_gpu_held_seconds_total", kCounter, "seconds", kAccount,
     "Seconds the container had at least one process holding memory on this GPU (or MIG slice).",
     +[](const AccountRow& r, const Ctx&) -> Value { return r.gpu->since_start.held_seconds; }},
    {"cmon_container_gpu_busy_seconds_total", kCounter, "seconds", kAccount,
     "Held seconds weighted by the container's SM share of this GPU (interval x SM % / 100).",
     +[](const AccountRow& r, const Ctx&) -> Value { return r.gpu->since_start.busy_seconds; }},
    {"cmon_container_gpu_idle_held_seconds_total", kCounter, "seconds", kAccount,
     "Held seconds during which every holding process of the container was an idle GPU holder.",
     +[](const AccountRow& r, const Ctx&) -> Value { return r.gpu->since_start.idle_held_seconds; }},

    // GPUs, as dcgm-exporter names them, in its units.
    {"DCGM_FI_DEV_GPU_UTIL", kGauge, "percent", kDcgm, "GPU utilization (in %).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.utilization_percent); }},
    {"DCGM_FI_DEV_MEM_COPY_UTIL", kGauge, "percent", kDcgm, "Memory utilization (in %).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.memory_utilization_percent); }},
    {"DCGM_FI_DEV_FB_USED", kGauge, "MiB", kDcgm, "Framebuffer memory used (in MiB).",
     +[](const GpuDevice& g, const Ctx&) { return whole_mib(g.memory_used_bytes); }},
    // The driver's free (total - used - reserved with memory v2); never total - used alone.
    {"DCGM_FI_DEV_FB_FREE", kGauge, "MiB", kDcgm, "Framebuffer memory free (in MiB).",
     +[](const GpuDevice& g, const Ctx&) -> Value {
         if (g.memory_free_bytes) return whole_mib(g.memory_free_bytes);
         if (!g.memory_total_bytes || !g.memory_used_bytes) return std::nullopt;
         const std::uint64_t taken = *g.memory_used_bytes + g.memory_reserved_bytes.value_or(0);
         if (taken > *g.memory_total_bytes) return std::nullopt;
         return whole_mib(*g.memory_total_bytes - taken);
     }},
    {"DCGM_FI_DEV_FB_RESERVED", kGauge, "MiB", kDcgm, "Framebuffer memory reserved (in MiB).",
     +[](const GpuDevice& g, const Ctx&) { return whole_mib(g.memory_reserved_bytes); }},
    {"DCGM_FI_DEV_FB_TOTAL", kGauge, "MiB", kDcgm, "Framebuffer memory total (in MiB).",
     +[](const GpuDevice& g, const Ctx&) { return whole_mib(g.memory_total_bytes); }},
    {"DCGM_FI_DEV_GPU_TEMP", kGauge, "celsius", kDcgm, "GPU temperature (in C).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.temperature_celsius); }},
    {"DCGM_FI_DEV_POWER_USAGE", kGauge, "W", kDcgm, "Power draw (in W).",
     +[](const GpuDevice& g, const Ctx&) -> Value {
         if (!g.power_draw_milliwatts) return std::nullopt;
         return *g.power_draw_milliwatts / 1000.0;
     }},
    {"DCGM_FI_DEV_SM_CLOCK", kGauge, "MHz", kDcgm, "SM clock frequency (in MHz).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.sm_clock_mhz); }},
    {"DCGM_FI_DEV_MEM_CLOCK", kGauge, "MHz", kDcgm, "Memory clock frequency (in MHz).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.memory_clock_mhz); }},
    {"DCGM_FI_DEV_MAX_SM_CLOCK", kGauge, "MHz", kDcgm, "Maximum SM clock frequency (in MHz).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.sm_clock_max_mhz); }},
    {"DCGM_FI_DEV_MAX_MEM_CLOCK", kGauge, "MHz", kDcgm, "Maximum memory clock frequency (in MHz).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.memory_clock_max_mhz); }},
    {"cmon_gpu_unattributed_memory_bytes", kGauge, "bytes", {"gpu", "UUID"},
     "GPU memory in use but held by no listed process (dead pids, processes in other pid namespaces).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.unattributed_memory_bytes); }},
    {"cmon_gpu_degraded", kGauge, "", {"gpu", "UUID"},
     "1 when the GPU refused some fields (see /healthz for which and why), else 0.",
     +[](const GpuDevice& g, const Ctx&) -> Value { return g.degraded ? 1.0 : 0.0; }},
    {"cmon_gpu_processes_hidden", kGauge, "", {"gpu", "UUID"},
     "1 when the GPU has memory in use but the driver lists no process (run with --pid=host), else 0.",
     +[](const GpuDevice& g, const Ctx&) -> Value { return g.processes_hidden ? 1.0 : 0.0; }},
    {"cmon_gpu_fan_percent", kGauge, "percent", {"gpu", "UUID"},
     "Fan speed as a percent of its maximum (not a DCGM field).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.fan_percent); }},
    {"cmon_gpu_lost", kGauge, "", {"gpu", "UUID"},
     "1 when the GPU fell off the bus or stopped answering, else 0.",
     +[](const GpuDevice& g, const Ctx&) -> Value { return g.lost ? 1.0 : 0.0; }},

    // GPUs of every vendor (NVML, amdgpu, i915, xe) under one set of names and base units.
    {"cmon_gpu_utilization_ratio", kGauge, "ratio", kGpu,
     "Share of time the GPU was busy over the last interval, 0 to 1 (NVML utilization, amdgpu gpu_busy_percent, "
     "xe idle residency, else the busiest engine summed over DRM clients).",
     +[](const GpuDevice& g, const Ctx&) -> Value {
         if (!g.utilization_percent) return std::nullopt;
         return *g.utilization_percent / 100.0;
     }},
    {"cmon_gpu_memory_used_bytes", kGauge, "bytes", kGpu,
     "Device memory in use (NVIDIA framebuffer, AMD VRAM; Intel: summed over DRM clients).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.memory_used_bytes); }},
    {"cmon_gpu_memory_total_bytes", kGauge, "bytes", kGpu, "Device memory size.",
     +[](const GpuDevice& g, const Ctx&) { return value(g.memory_total_bytes); }},
    {"cmon_gpu_temperature_celsius", kGauge, "celsius", kGpu, "GPU temperature (AMD: the first hwmon sensor, edge).",
     +[](const GpuDevice& g, const Ctx&) { return value(g.temperature_celsius); }},
    {"cmon_gpu_power_watts", kGauge, "watts", kGpu, "Power draw (Intel: from the hwmon energy counter).",
     +[](const GpuDevice& g, const Ctx&) -> Value {
         if (!g.power_draw_milliwatts) return std::nullopt;
         return *g.power_draw_milliwatts / 1000.0;
     }},
    {"cmon_gpu_process_utilization_ratio", kGauge, "ratio", kProcess,
     "Share of the GPU the process kept busy over the last interval, 0 to 1 (NVIDIA: SM; AMD/Intel: its busiest "
     "engine).",
     +[](const GpuProcess& p, const Ctx&) -> Value {
         if (!p.sm_percent) return std::nullopt;
         return *p.sm_percent / 100.0;
     }},
    {"cmon_gpu_process_engine_utilization_ratio", kGauge, "ratio", kProcessEngine,
     "Share of one engine class of the GPU the process kept busy over the last interval, 0 to 1 (AMD/Intel: "
     "DRM fdinfo engine time, or KFD CU occupancy as \"compute\"; engine names are the driver's).",
     +[](const ProcessEngineRow& r, const Ctx&) -> Value { return r.percent / 100.0; }},
    {"cmon_container_gpu_engine_utilization_ratio", kGauge, "ratio", kContainerEngine,
     "Share of one engine class of the GPU the container's processes kept busy over the last interval, summed "
     "over them, 0 to 1 (AMD/Intel; engine names are the driver's).",
     +[](const ContainerEngineRow& r, const Ctx&) -> Value { return r.ratio; }},

    // GPU processes: one sample per (process, GPU). Host processes have container="" and container_id="".
    {"cmon_gpu_process_memory_bytes", kGauge, "bytes", kProcess,
     "GPU memory used by the process on this GPU.",
     +[](const GpuProcess& p, const Ctx&) { return value(p.memory_used_bytes); }},
    {"cmon_gpu_process_sm_percent", kGauge, "percent", kProcess,
     "Share of the GPU's streaming multiprocessors the process kept busy over the last interval.",
     +[](const GpuProcess& p, const Ctx&) { return value(p.sm_percent); }},
    {"cmon_gpu_process_idle", kGauge, "", kProcess,
     "1 when the process holds GPU memory but has not used the GPU for a while, else 0.",
     +[](const GpuProcess& p, const Ctx&) -> Value { return p.idle_since ? 1.0 : 0.0; }},
    {"cmon_gpu_process_idle_since_seconds", kGauge, "seconds", kProcess,
     "Unix time since which an idle process has held GPU memory without using the GPU.",
     +[](const GpuProcess& p, const Ctx&) -> Value {
         if (!p.idle_since) return std::nullopt;
         return unix_seconds(*p.idle_since);
     }},

    // The machine, as cAdvisor names it (without its boot_id/machine_id/system_uuid labels).
    {"machine_cpu_cores", kGauge, "", {}, "Number of logical CPU cores.",
     +[](const Snapshot& s, const Ctx&) -> Value {
         if (s.host.cpu_count == 0) return std::nullopt;
         return static_cast<double>(s.host.cpu_count);
     }},
    {"machine_memory_bytes", kGauge, "bytes", {}, "Amount of memory installed on the machine.",
     +[](const Snapshot& s, const Ctx&) -> Value {
         if (s.host.memory_total_bytes == 0) return std::nullopt;
         return static_cast<double>(s.host.memory_total_bytes);
     }},

    // The host.
    {"cmon_host_cpu_busy_percent", kGauge, "percent", {},
     "Busy share of all CPUs over the last interval, 0 to 100.",
     +[](const Snapshot& s, const Ctx&) { return value(s.host.cpu_busy_percent); }},
    {"cmon_host_memory_total_bytes", kGauge, "bytes", {}, "Total memory (MemTotal).",
     +[](const Snapshot& s, const Ctx&) -> Value { return static_cast<double>(s.host.memory_total_bytes); }},
    {"cmon_host_memory_used_bytes", kGauge, "bytes", {}, "Used memory: total minus available.",
     +[](const Snapshot& s, const Ctx&) -> Value { return static_cast<double>(s.host.memory_used_bytes); }},
    {"cmon_host_memory_available_bytes", kGauge, "bytes", {},
     "Memory available to new work without swapping (MemAvailable).",
     +[](const Snapshot& s, const Ctx&) -> Value {
         return static_cast<double>(s.host.memory_available_bytes);
     }},
    {"cmon_host_load1", kGauge, "", {}, "1-minute load average.",
     +[](const Snapshot& s, const Ctx&) -> Value { return s.host.load ? Value(s.host.load->one) : std::nullopt; }},
    {"cmon_host_load5", kGauge, "", {}, "5-minute load average.",
     +[](const Snapshot& s, const Ctx&) -> Value { return s.host.load ? Value(s.host.load->five) : std::nullopt; }},
    {"cmon_host_load15", kGauge, "", {}, "15-minute load average.",
     +[](const Snapshot& s, const Ctx&) -> Value {
         return s.host.load ? Value(s.host.load->fifteen) : std::nullopt;
     }},
    {"cmon_host_filesystem_size_bytes", kGauge, "bytes", kFilesystem, "Filesystem size in bytes.",
     +[](const Filesystem& f, const Ctx&) -> Value { return static_cast<double>(f.total_bytes); }},
    {"cmon_host_filesystem_avail_bytes", kGauge, "bytes", kFilesystem,
     "Filesystem space available to non-root users in bytes.",
     +[](const Filesystem& f, const Ctx&) -> Value { return static_cast<double>(f.available_bytes); }},

    // The monitor itself.
    {"cmon_source_up", kGauge, "", {"source"}, "1 when the source's last collection worked, else 0.",
     +[](const SourceHealth& h, const Ctx&) -> Value { return h.ok ? 1.0 : 0.0; }},
    {"cmon_source_degraded", kGauge, "", {"source"},
     "1 when the source worked but some data is missing (see /healthz warnings), else 0.",
     +[](const SourceHealth& h, const Ctx&) -> Value { return h.ok && h.degraded ? 1.0 : 0.0; }},
    {"cmon_collection_paused", kGauge, "", {},
     "1 while collection is paused because nobody is looking, else 0.",
     +[](const Snapshot&, const Ctx& x) -> Value { return x.options().paused ? 1.0 : 0.0; }},
    {"cmon_build_info", kGauge, "", {"version"}, "Always 1; the version label says which build runs.",
     +[](const Snapshot&, const Ctx&) -> Value { return 1.0; }},
    {"cmon_host_info", kGauge, "", {"Hostname"},
     "Always 1; Hostname names this server as the GPU series do (--hostname, else the host's name), GPUs or not.",
     +[](const Snapshot&, const Ctx&) -> Value { return 1.0; }},
    // What increase() cannot see: a counter that began inside a window had counted from this time on.
    {"cmon_accounting_start_time_seconds", kGauge, "seconds", {},
     "Unix time the GPU accounting counters (cmon_container_gpu_*_seconds_total) started from 0.",
     +[](const Snapshot&, const Ctx& x) -> Value {
         if (x.options().accounting == nullptr) return std::nullopt;
         return std::chrono::duration<double>(x.options().accounting->started.time_since_epoch()).count();
     }},
    };
    // clang-format on
    return table;
}

const std::vector<MigMetricSpec>& mig_metric_table() {
    using Mig = MigSubject;
    static const std::vector<MigMetricSpec> table = {
        {"DCGM_FI_DEV_FB_USED", +[](const Mig& m, const Ctx&) { return whole_mib(m.mig.memory_used_bytes); }},
        {"DCGM_FI_DEV_FB_TOTAL", +[](const Mig& m, const Ctx&) { return whole_mib(m.mig.memory_total_bytes); }},
        {"DCGM_FI_DEV_FB_FREE",
         +[](const Mig& m, const Ctx&) -> Value {
             if (!m.mig.memory_total_bytes || !m.mig.memory_used_bytes ||
                 *m.mig.memory_used_bytes > *m.mig.memory_total_bytes)
                 return std::nullopt;
             return whole_mib(*m.mig.memory_total_bytes - *m.mig.memory_used_bytes);
         }},
        // NVML has no utilization for a MIG slice; only GPM's SM utilization (Hopper+) fills it.
        {"DCGM_FI_DEV_GPU_UTIL", +[](const Mig& m, const Ctx&) { return value(m.mig.utilization_percent); }},
    };
    return table;
}

std::string label_value(const MigSubject& m, std::string_view label, const MetricContext& context) {
    if (label == "GPU_I_PROFILE") return m.mig.profile;
    if (label == "GPU_I_ID") return std::to_string(m.mig.gpu_instance_id);
    return label_value(m.gpu, label, context);
}

std::string label_value(const model::Snapshot&, std::string_view label, const MetricContext& context) {
    if (label == "version") return context.options().version;
    if (label == "Hostname") {
        const std::string& configured = context.options().hostname_label;
        return configured.empty() ? context.snapshot().host.hostname : configured;
    }
    unknown_label("the snapshot", label);
}

std::string label_value(const model::ContainerStats& c, std::string_view label, const MetricContext&) {
    if (label == "id") return "/docker/" + c.id;
    if (label == "name") return c.name;
    if (label == "image") return c.image;
    if (label == "owner") return c.owner.empty() ? c.name : c.owner;
    unknown_label("a container", label);
}

std::string label_value(const model::GpuDevice& g, std::string_view label, const MetricContext& context) {
    if (label == "gpu") return std::to_string(g.index);
    if (label == "vendor") return g.vendor;
    if (label == "uuid") return g.uuid;
    if (label == "pci") return g.pci_bus_id.value_or("");
    if (label == "model") return g.name;
    if (label == "UUID") return g.uuid;
    if (label == "device") return "nvidia" + std::to_string(g.index);
    if (label == "modelName") return g.name;
    if (label == "Hostname") {
        const std::string& configured = context.options().hostname_label;
        return configured.empty() ? context.snapshot().host.hostname : configured;
    }
    unknown_label("a GPU", label);
}

std::string label_value(const model::GpuProcess& p, std::string_view label, const MetricContext& context) {
    if (label == "pid") return std::to_string(p.pid);
    if (label == "gpu") return std::to_string(p.gpu_index);
    if (label == "container_id") return p.container_id.value_or("");
    if (label == "container") {
        const model::ContainerStats* container = p.container_id ? context.container(*p.container_id) : nullptr;
        return container ? container->name : "";
    }
    unknown_label("a GPU process", label);
}

std::string label_value(const model::Filesystem& f, std::string_view label, const MetricContext&) {
    if (label == "mountpoint") return f.mount_point;
    if (label == "device") return f.device;
    if (label == "fstype") return f.fs_type;
    unknown_label("a filesystem", label);
}

std::string label_value(const model::SourceHealth& h, std::string_view label, const MetricContext&) {
    if (label == "source") return h.name;
    unknown_label("a source", label);
}

std::string label_value(const InterfaceRow& r, std::string_view label, const MetricContext& context) {
    if (label == "interface") return r.interface ? r.interface->name : "";
    return label_value(*r.container, label, context);
}

std::string label_value(const AccountRow& r, std::string_view label, const MetricContext&) {
    if (label == "name") return r.container->name;
    if (label == "id") return "/docker/" + r.container->id;  // as the container_* series, so they join
    if (label == "owner") return r.container->owner;
    if (label == "gpu") {
        std::string gpu = std::to_string(r.gpu->gpu_index);
        // A MIG slice is "<gpu>/<gpu instance>": each slice is its own counter.
        if (r.gpu->gpu_instance_id) gpu += "/" + std::to_string(*r.gpu->gpu_instance_id);
        return gpu;
    }
    if (label == "uuid") return r.gpu->uuid;
    unknown_label("a GPU account", label);
}

std::string label_value(const ProcessEngineRow& r, std::string_view label, const MetricContext& context) {
    if (label == "engine") return *r.engine;
    return label_value(*r.process, label, context);
}

std::string label_value(const ContainerEngineRow& r, std::string_view label, const MetricContext& context) {
    if (label == "engine") return r.engine;
    if (label == "gpu") return std::to_string(r.gpu);
    return label_value(*r.container, label, context);
}

}  // namespace cmon::exporters
