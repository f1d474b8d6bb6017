// The lab view: every server a Prometheus scrapes, assembled from its query API (sources/prometheus) and
// rendered by exporters/fleet_exporter. Plain values, std only. Missing is std::nullopt, not zero: a
// server that is down has no load, a GPU whose driver does not report power has none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cmon::model {

// A container's process(es) holding memory on one GPU (or MIG slice).
struct FleetHolder {
    std::string container;     // name; "" for a process outside any container
    std::string container_id;  // 64 hex, "" outside containers
    std::string owner;         // cmon_container_info's owner; else the container name
    std::uint64_t memory_bytes = 0;         // summed over the container's processes on this GPU
    std::optional<double> sm_percent;       // summed SM % of those processes
    bool idle = false;                      // every process of it on this GPU is an idle holder
    std::optional<double> idle_since_unix;  // earliest idle_since of those processes
    unsigned processes = 0;
};

struct FleetGpu {
    std::string gpu;                          // index on its server ("0")
    std::optional<std::string> mig_instance;  // GPU instance id of a MIG slice; nullopt: the whole GPU
    std::string uuid;
    std::string model;   // modelName
    std::string vendor;  // "nvidia" unless a cmon_gpu_* series says otherwise
    std::optional<double> utilization_percent;
    std::optional<std::uint64_t> memory_used_bytes;
    std::optional<std::uint64_t> memory_total_bytes;
    std::optional<double> temperature_celsius;
    std::optional<double> power_watts;
    bool lost = false;
    bool free = false;  // no process and memory used below the fleet's threshold
    std::vector<FleetHolder> holders;  // most memory first
};

// A container with GPU memory, for a server's "most GPU" list.
struct FleetContainer {
    std::string name;
    std::string container_id;
    std::string owner;
    std::uint64_t gpu_memory_bytes = 0;
    double sm_percent = 0;
    unsigned gpus = 0;  // GPUs (slices) it holds memory on
    bool idle = false;  // idle on every GPU it holds
};

struct FleetServer {
    std::string name;      // the Hostname label; else instance
    std::string instance;  // Prometheus' instance label
    std::string job;
    bool up = false;                         // the newest scrape worked
    std::optional<double> last_data_unix;    // newest successful scrape (within the look-back)
    std::optional<double> cpu_busy_percent;  // of all cores
    std::optional<std::uint64_t> memory_used_bytes;
    std::optional<std::uint64_t> memory_total_bytes;
    std::vector<std::string> sources_down;  // cmon_source_up == 0: "docker", "gpu", ...
    std::vector<FleetGpu> gpus;             // by index, MIG slices after their parent
    std::vector<FleetContainer> top_containers;  // most GPU memory first, at most FleetOptions::top_containers
};

// A GPU nobody uses now: the answer to "where can I run my job?".
struct FleetFreeGpu {
    std::string server;
    std::string gpu;
    std::optional<std::string> mig_instance;
    std::string uuid;
    std::string model;
    std::optional<std::uint64_t> memory_free_bytes;
    std::optional<std::uint64_t> memory_total_bytes;
    std::optional<double> utilization_percent;
};

// GPU-seconds over one window, from increase() of the accounting counters. nullopt: Prometheus has no
// such series (a monitor without accounting), not zero.
struct LabGpuSeconds {
    std::optional<double> held;
    std::optional<double> busy;
    std::optional<double> idle_held;
};

// One query of a refresh: how long Prometheus took to answer it (the round trip plus our parsing) and how
// many series came back. The page and the benchmark say where a slow refresh goes.
struct FleetQueryTiming {
    std::string name;
    double milliseconds = 0;
    std::size_t series = 0;
    std::optional<std::string> error;
};

struct OwnerUsage {
    std::string owner;
    LabGpuSeconds today;  // since local midnight of the fleet service
    LabGpuSeconds week;   // today and the 6 days before it (since local midnight 6 days ago)
    LabGpuSeconds month;  // today and the 29 days before it
    std::vector<std::string> holding;  // "server/gpu" (or "server/gpu/mig") held now
    std::vector<std::string> idle_holding;  // the subset held by idle processes
};

struct FleetSnapshot {
    double generated_unix = 0;  // when this was assembled
    // The evaluation time of the queries behind the data; older than generated_unix when Prometheus
    // failed and the servers are the last good answer.
    std::optional<double> data_unix;
    std::optional<std::string> error;  // Prometheus unreachable, slow or refusing: the page's banner
    std::vector<std::string> warnings;  // Prometheus' own warnings and our series caps
    std::string prometheus;             // the URL without credentials
    double query_milliseconds = 0;      // the refresh that produced data_unix
    double free_gpu_memory_bytes = 0;   // the threshold used for `free`
    std::vector<FleetServer> servers;   // by name
    std::vector<FleetFreeGpu> free_gpus;  // most free memory first
    std::vector<OwnerUsage> owners;     // by owner
    bool accounting = false;            // some monitor exports the GPU accounting counters
    // The GPU-hours (owners' today/week/month) are computed apart from the live view, at most every
    // usage interval, so a slow history query never delays the page: their evaluation time, nullopt until
    // the first one is done; and where the whole days came from ("recorded rules", "increase()").
    std::optional<double> usage_unix;
    std::string usage_source;
    std::vector<FleetQueryTiming> queries;  // the live queries of this refresh, then those of the GPU-hours
};

}  // namespace cmon::model
