// The immutable snapshot every stage after collection reads. Plain value types, std only.
// Units are in the names; std::optional marks what a source may not report (missing is not zero).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cmon::model {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Aggregate CPU time counters from /proc/stat, in clock ticks (USER_HZ).
struct CpuTimes {
    std::uint64_t busy_ticks = 0;   // user+nice+system+irq+softirq+steal
    std::uint64_t total_ticks = 0;  // busy + idle + iowait
};

struct LoadAverage {
    double one = 0;
    double five = 0;
    double fifteen = 0;
};

struct Filesystem {
    std::string mount_point;
    std::string device;
    std::string fs_type;
    std::uint64_t total_bytes = 0;
    std::uint64_t used_bytes = 0;
    std::uint64_t available_bytes = 0;  // to unprivileged users (what `df` shows as Avail)
};

// Monotonic byte counters plus the rate derived from the previous sample (empty until two samples).
struct ByteCounter {
    std::uint64_t bytes_total = 0;
    std::optional<double> bytes_per_second;

    bool operator==(const ByteCounter&) const = default;
};

struct HostStats {
    std::string hostname;
    std::string primary_ipv4 = "127.0.0.1";
    unsigned cpu_count = 0;
    CpuTimes cpu_times;
    std::optional<double> cpu_busy_percent;  // all CPUs, over the last interval, 0..100
    std::uint64_t memory_total_bytes = 0;
    std::uint64_t memory_available_bytes = 0;
    std::uint64_t memory_used_bytes = 0;  // total - available
    std::uint64_t swap_total_bytes = 0;
    std::uint64_t swap_used_bytes = 0;
    std::optional<LoadAverage> load;
    std::optional<double> uptime_seconds;
    std::vector<Filesystem> filesystems;
    ByteCounter network_rx;  // all physical-ish interfaces except loopback
    ByteCounter network_tx;
    ByteCounter disk_read;   // whole disks only (no partitions)
    ByteCounter disk_write;
};

// One network interface of a container (its own namespace, loopback excluded): /proc/<pid>/net/dev totals.
struct NetworkInterface {
    std::string name;
    std::uint64_t rx_bytes = 0;
    std::uint64_t rx_packets = 0;
    std::uint64_t rx_errors = 0;
    std::uint64_t rx_dropped = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_errors = 0;
    std::uint64_t tx_dropped = 0;

    bool operator==(const NetworkInterface&) const = default;
};

struct ContainerStats {
    std::string id;        // full 64-hex id
    std::string short_id;  // first 12 hex
    std::string name;      // without the leading '/'
    std::string image;
    std::string state;     // "running", ...
    std::optional<TimePoint> started_at;
    std::map<std::string, std::string> labels;  // allowlisted labels only
    std::optional<int> init_pid;                // host pid of the container's init process

    std::optional<std::uint64_t> cpu_time_ns_total;
    std::optional<double> cpu_percent;  // percent of one core, may exceed 100
    std::optional<std::uint64_t> memory_usage_bytes;        // raw cgroup usage (incl. cache)
    std::optional<std::uint64_t> memory_working_set_bytes;  // usage - inactive file (what docker stats shows)
    std::optional<std::uint64_t> memory_limit_bytes;        // empty when unlimited
    std::optional<std::uint64_t> pids;
    std::optional<ByteCounter> network_rx;
    std::optional<ByteCounter> network_tx;
    std::optional<ByteCounter> block_read;
    std::optional<ByteCounter> block_write;

    std::vector<unsigned> gpus_assigned;  // from DeviceRequests / NVIDIA_VISIBLE_DEVICES
    bool all_gpus_assigned = false;       // "all"

    // More cgroup counters, as cAdvisor exports them (sources/cgroup/cgroup_reader.hpp says where from).
    std::optional<std::uint64_t> cpu_user_ns_total;
    std::optional<std::uint64_t> cpu_system_ns_total;
    std::optional<std::uint64_t> memory_rss_bytes;
    std::optional<std::uint64_t> memory_cache_bytes;
    std::optional<std::uint64_t> memory_swap_bytes;
    std::optional<std::uint64_t> memory_failcnt;
    std::optional<std::uint64_t> oom_kill_events_total;
    std::optional<std::uint64_t> cpu_quota_us;   // CFS quota per period; empty when unlimited
    std::optional<std::uint64_t> cpu_period_us;  // CFS period
    std::vector<NetworkInterface> network_interfaces;

    // Who the container belongs to: the --owner-label label, else the --owner-pattern capture on the
    // name, else the name (attribution/owner_resolver). Never empty once attributed.
    std::string owner;

    // Field by field: what lets an exporter reuse the text it wrote for an unchanged row.
    bool operator==(const ContainerStats&) const = default;
};

// A MIG slice (A100/H100/H200) under its parent GPU.
struct MigDevice {
    unsigned index = 0;  // MIG index under the parent (nvmlDeviceGetMigDeviceHandleByIndex)
    std::string uuid;
    std::string profile;  // "1g.10gb", from the MIG device's name
    unsigned gpu_instance_id = 0;
    unsigned compute_instance_id = 0;
    std::optional<std::uint64_t> memory_used_bytes;
    std::optional<std::uint64_t> memory_total_bytes;
    std::optional<unsigned> utilization_percent;  // GPM SM utilization only (Hopper+); else not reported
};

struct GpuDevice {
    unsigned index = 0;
    std::string name;
    std::string uuid;
    bool lost = false;  // fell off the bus / errors; other fields may be empty
    std::optional<unsigned> utilization_percent;
    std::optional<unsigned> memory_utilization_percent;
    std::optional<std::uint64_t> memory_used_bytes;
    std::optional<std::uint64_t> memory_total_bytes;
    std::optional<unsigned> temperature_celsius;
    std::optional<unsigned> power_draw_milliwatts;
    std::optional<unsigned> power_limit_milliwatts;
    std::optional<unsigned> fan_percent;
    std::optional<bool> mig_enabled;
    // Vendor-neutral identity (issue 14). NVML devices keep the defaults; DRM devices say who they are.
    std::string vendor = "nvidia";           // "nvidia" | "amd" | "intel"
    std::optional<std::string> driver;       // "nvidia", "amdgpu", "i915", "xe"
    std::optional<std::string> pci_bus_id;   // "0000:03:00.0"
    // DRM (AMD/Intel) extras; absent where the driver does not publish them.
    std::optional<std::string> render_node;  // "renderD128"
    std::optional<std::uint64_t> gtt_memory_used_bytes;   // amdgpu: system memory mapped for the GPU
    std::optional<std::uint64_t> gtt_memory_total_bytes;
    std::optional<unsigned> fan_rpm;
    // NVIDIA details (issue 13).
    std::optional<std::uint64_t> memory_reserved_bytes;  // driver/firmware reservation (memory v2)
    std::optional<std::uint64_t> memory_free_bytes;      // as the driver says: total - used - reserved
    std::optional<unsigned> sm_clock_mhz;      // graphics (shader) clock; NVML calls it the SM clock
    std::optional<unsigned> sm_clock_max_mhz;  // hardware maximum of that clock
    std::optional<unsigned> memory_clock_mhz;
    std::optional<unsigned> memory_clock_max_mhz;
    std::optional<std::string> driver_version;
    bool degraded = false;                     // some field was refused; degraded_fields says which and why
    std::vector<std::string> degraded_fields{};  // "temperature: NOT_SUPPORTED"
    std::vector<MigDevice> mig_devices{};      // empty when MIG is off
    // Used memory not held by any listed process (dead pids, other pid namespaces); only when the process
    // list could be read and every process reported its memory.
    std::optional<std::uint64_t> unattributed_memory_bytes;
    // Memory is in use but the driver lists no process: the monitor cannot see the host's pid namespace.
    bool processes_hidden = false;
};

struct GpuProcess {
    unsigned pid = 0;  // host pid
    unsigned gpu_index = 0;
    std::optional<std::uint64_t> memory_used_bytes;
    std::optional<unsigned> sm_percent;
    std::string type = "compute";  // "compute", "graphics", "compute+graphics"
    // Attribution (filled by attribution/):
    std::optional<std::string> container_id;  // full id; empty = host process
    std::optional<unsigned> container_pid;    // pid inside the container's pid namespace
    bool process_exists = true;               // false: pid gone but memory still held
    std::optional<std::string> command;       // only with --show-cmdline
    std::optional<TimePoint> idle_since;      // idle GPU holder since
    // DRM clients (AMD/Intel): busy % per engine over the last interval ("gfx", "compute", "render", "ccs"...);
    // sm_percent is then the busiest engine's %. Empty for NVML processes.
    std::map<std::string, double> engine_busy_percent;
    // MIG: the process's instance on gpu_index (nvmlProcessInfo_v2_t gpuInstanceId/computeInstanceId).
    std::optional<unsigned> gpu_instance_id;
    std::optional<unsigned> compute_instance_id;
    bool mps = false;  // an MPS client (nvmlDeviceGetMPSComputeRunningProcesses)
    // sm_percent comes from a sample the driver took since the previous tick (or from a device that was
    // idle throughout); false while a last value is held because the driver had nothing newer.
    bool sm_percent_fresh = false;
};

struct SourceHealth {
    std::string name;  // "host", "docker", "gpu", ...
    bool ok = true;
    std::string error;  // human-readable, empty when ok
    std::string note;   // while ok: how the data was obtained when that is worth saying, else empty
    std::optional<TimePoint> last_success;
    // While ok: some data is missing (a field a device refused, processes we cannot see); warnings say what.
    bool degraded = false;
    std::vector<std::string> warnings{};
};

struct Snapshot {
    std::uint64_t sequence = 0;
    TimePoint time{};
    std::chrono::steady_clock::time_point monotonic{};  // for rate computation
    std::string note;
    HostStats host;
    std::vector<ContainerStats> containers;  // running containers
    std::vector<GpuDevice> gpus;             // index order
    std::vector<GpuProcess> gpu_processes;
    std::vector<SourceHealth> sources;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace cmon::model
