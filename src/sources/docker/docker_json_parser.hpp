// Docker Engine API response bodies -> plain structs. Pure: no I/O. Field names follow the Engine API
// reference (v1.41..1.45). Missing or wrongly typed fields become std::nullopt / empty, never zero.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::sources {

struct DockerContainerSummary {
    std::string id;
    std::vector<std::string> names;  // as the API gives them: "/web"
    std::string image;
    std::string state;  // "running", "paused", ...
    std::optional<std::int64_t> created_unix;
    std::map<std::string, std::string> labels;  // allowlisted only
};

struct DockerInspect {
    std::optional<int> pid;  // State.Pid; 0 (not running) becomes nullopt
    std::optional<model::TimePoint> started_at;
    bool gpu_requested = false;               // a HostConfig.DeviceRequests entry with the "gpu" capability
    std::vector<std::string> gpu_device_ids;  // DeviceIDs of those entries: indices or GPU UUIDs
    std::optional<int> gpu_count;             // their Count: -1 means all GPUs
    // Config.Env is read for this single key only; no other environment variable is kept.
    std::optional<std::string> nvidia_visible_devices;
};

struct DockerStats {
    std::optional<std::uint64_t> cpu_time_ns_total;  // cpu_stats.cpu_usage.total_usage
    std::optional<std::uint64_t> memory_usage_bytes;
    std::optional<std::uint64_t> memory_inactive_file_bytes;  // total_inactive_file (v1) / inactive_file (v2)
    std::optional<std::uint64_t> memory_working_set_bytes;    // usage - inactive file, as the Docker CLI
    std::optional<std::uint64_t> memory_limit_bytes;          // nullopt when the cgroup is unlimited
    std::optional<std::uint64_t> pids;
    std::optional<std::uint64_t> network_rx_bytes;  // summed over all interfaces
    std::optional<std::uint64_t> network_tx_bytes;
    std::optional<std::uint64_t> block_read_bytes;  // io_service_bytes_recursive, op Read
    std::optional<std::uint64_t> block_write_bytes;
};

// One line of GET /events.
struct DockerEvent {
    std::string type;    // "container", ...
    std::string action;  // "rename", "pause", "exec_start: sh", "health_status: healthy", ...
    std::int64_t time_ns = 0;
};

struct GpuAssignment {
    std::vector<unsigned> indices;
    bool all = false;
};

// Label filter: exact keys, or a prefix when the entry ends in '*' ("com.example.*"). Empty: no labels.
bool label_allowed(std::string_view key, const std::vector<std::string>& allowlist);

// GET /containers/json. Throws util::Error when the body is not a JSON array (a broken daemon response).
std::vector<DockerContainerSummary> parse_container_list(std::string_view body,
                                                         const std::vector<std::string>& label_allowlist);
// GET /events with a bounded window: one JSON object per line. Lines that are not an object with an action
// and a time are skipped. "Action"/"timeNano" (API 1.22+), else "status"/"time".
std::vector<DockerEvent> parse_events(std::string_view body);
// GET /containers/{id}/json. nullopt when the body is not a JSON object.
std::optional<DockerInspect> parse_container_inspect(std::string_view body);
// GET /containers/{id}/stats?stream=false&one-shot=true. nullopt when the body is not a JSON object.
std::optional<DockerStats> parse_container_stats(std::string_view body);
// GET /version: ApiVersion.
std::optional<std::string> parse_api_version(std::string_view body);

// RFC 3339 with optional fraction (up to nanoseconds) and Z or ±hh:mm; Docker's zero time
// "0001-01-01T00:00:00Z" and junk give nullopt.
std::optional<model::TimePoint> parse_rfc3339(std::string_view text);

// Which GPUs a container was given: DeviceRequests (Count -1 = all, Count N = GPUs 0..N-1, as dockerd's
// nvidia driver translates it in moby daemon/nvidia_linux.go) united with NVIDIA_VISIBLE_DEVICES
// ("all", "none"/"void", "0,1"). UUIDs cannot be mapped to indices here and are left out.
GpuAssignment gpu_assignment(const DockerInspect& inspect);

}  // namespace cmon::sources
