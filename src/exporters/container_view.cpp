#include "exporters/container_view.hpp"

namespace cmon::exporters {

namespace {

// The rule both functions follow: 0 before any process; from the first process on, empty until one
// reports memory, then the sum of those that do.
class GpuMemorySum {
public:
    void add(const model::GpuProcess& process) {
        if (!any_process_) sum_ = std::nullopt;
        any_process_ = true;
        if (process.memory_used_bytes) sum_ = sum_.value_or(0) + *process.memory_used_bytes;
    }
    std::optional<std::uint64_t> value() const { return sum_; }

private:
    std::optional<std::uint64_t> sum_ = 0;
    bool any_process_ = false;
};

}  // namespace

std::optional<std::uint64_t> container_gpu_memory(const model::Snapshot& snapshot, const std::string& container_id) {
    GpuMemorySum sum;
    for (const auto& process : snapshot.gpu_processes) {
        if (process.container_id == container_id) sum.add(process);
    }
    return sum.value();
}

std::map<std::string, std::optional<std::uint64_t>> container_gpu_memory_by_id(const model::Snapshot& snapshot) {
    std::map<std::string, GpuMemorySum> sums;
    for (const auto& container : snapshot.containers) sums[container.id];
    for (const auto& process : snapshot.gpu_processes) {
        if (process.container_id) sums[*process.container_id].add(process);
    }
    std::map<std::string, std::optional<std::uint64_t>> out;
    for (const auto& [id, sum] : sums) out.emplace(id, sum.value());
    return out;
}

ContainerGpuMemory::ContainerGpuMemory(const model::Snapshot& snapshot) {
    std::unordered_map<std::string_view, GpuMemorySum> sums;
    for (const auto& process : snapshot.gpu_processes) {
        if (process.container_id) sums[*process.container_id].add(process);
    }
    sums_.reserve(sums.size());
    for (const auto& [id, sum] : sums) sums_.emplace(id, sum.value());
}

std::optional<std::uint64_t> ContainerGpuMemory::of(std::string_view container_id) const {
    const auto found = sums_.find(container_id);
    return found != sums_.end() ? found->second : GpuMemorySum().value();
}

std::uint64_t container_memory_limit_or_host(const model::Snapshot& snapshot, const model::ContainerStats& container) {
    return container.memory_limit_bytes.value_or(snapshot.host.memory_total_bytes);
}

}  // namespace cmon::exporters
