#include "exporters/container_view.hpp"

namespace cmon::exporters {

std::optional<std::uint64_t> container_gpu_memory(const model::Snapshot& snapshot, const std::string& container_id) {
    std::optional<std::uint64_t> sum = 0;
    bool any_process = false;
    for (const auto& process : snapshot.gpu_processes) {
        if (process.container_id != container_id) continue;
        if (!any_process) sum = std::nullopt;
        any_process = true;
        if (process.memory_used_bytes) sum = sum.value_or(0) + *process.memory_used_bytes;
    }
    return sum;
}

std::uint64_t container_memory_limit_or_host(const model::Snapshot& snapshot, const model::ContainerStats& container) {
    return container.memory_limit_bytes.value_or(snapshot.host.memory_total_bytes);
}

}  // namespace cmon::exporters
