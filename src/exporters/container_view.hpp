// Per-container figures that more than one exporter shows, computed in one place so the legacy /query, the API
// JSON and the terminal table never disagree.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/snapshot.hpp"

namespace cmon::exporters {

// Sum of the container's GPU process memory: 0 without GPU processes, empty when it has some but none of them
// reports memory (MIG, unsupported field).
std::optional<std::uint64_t> container_gpu_memory(const model::Snapshot& snapshot, const std::string& container_id);

// The same for every container at once (one pass over the GPU processes): container id -> sum, for each
// container of the snapshot and each container a GPU process is attributed to.
std::map<std::string, std::optional<std::uint64_t>> container_gpu_memory_by_id(const model::Snapshot& snapshot);

// The same as container_gpu_memory for any container id, from one pass over the GPU processes, with an
// entry only for the containers they are attributed to (any other container's sum is 0): what writing a
// snapshot asks once per container, without a map node and a copy of the id for each of them.
class ContainerGpuMemory {
public:
    explicit ContainerGpuMemory(const model::Snapshot& snapshot);
    std::optional<std::uint64_t> of(std::string_view container_id) const;

private:
    std::unordered_map<std::string_view, std::optional<std::uint64_t>> sums_;  // ids: views into the snapshot
};

// The memory a container may use: its limit, or the host's total when it has none (as `docker stats` shows).
std::uint64_t container_memory_limit_or_host(const model::Snapshot& snapshot, const model::ContainerStats& container);

}  // namespace cmon::exporters
