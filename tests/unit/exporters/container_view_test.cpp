// The container GPU-memory rule, computed in one place for every exporter: per container and for all at once.
#include "exporters/container_view.hpp"

#include <gtest/gtest.h>

namespace cmon::exporters {
namespace {

model::GpuProcess process(std::optional<std::string> container, std::optional<std::uint64_t> memory) {
    model::GpuProcess p;
    p.container_id = std::move(container);
    p.memory_used_bytes = memory;
    return p;
}

model::Snapshot snapshot_with_processes() {
    model::Snapshot s;
    s.containers.emplace_back().id = "none";     // no GPU process: 0
    s.containers.emplace_back().id = "two";      // two reporting: their sum
    s.containers.emplace_back().id = "silent";   // processes, none reporting memory (MIG): unknown
    s.containers.emplace_back().id = "partial";  // one reporting, one not: the one that reports
    s.gpu_processes.push_back(process("two", 100));
    s.gpu_processes.push_back(process("two", 23));
    s.gpu_processes.push_back(process("silent", std::nullopt));
    s.gpu_processes.push_back(process("partial", std::nullopt));
    s.gpu_processes.push_back(process("partial", 7));
    s.gpu_processes.push_back(process(std::nullopt, 999));  // a host process counts for no container
    s.gpu_processes.push_back(process("gone", 5));          // attributed to a container not listed
    return s;
}

TEST(ContainerGpuMemory, ZeroWithoutProcessesUnknownWhenNoneReportsElseTheSum) {
    const auto s = snapshot_with_processes();
    EXPECT_EQ(container_gpu_memory(s, "none"), 0u);
    EXPECT_EQ(container_gpu_memory(s, "two"), 123u);
    EXPECT_EQ(container_gpu_memory(s, "silent"), std::nullopt);
    EXPECT_EQ(container_gpu_memory(s, "partial"), 7u);
    EXPECT_EQ(container_gpu_memory(s, "gone"), 5u);
}

TEST(ContainerGpuMemory, AllAtOnceAgreesWithOneByOne) {
    const auto s = snapshot_with_processes();
    const auto all = container_gpu_memory_by_id(s);
    ASSERT_EQ(all.size(), 5u);
    for (const auto& [id, sum] : all) EXPECT_EQ(sum, container_gpu_memory(s, id)) << id;
    EXPECT_EQ(all.at("none"), 0u);
    EXPECT_EQ(all.at("silent"), std::nullopt);
}

}  // namespace
}  // namespace cmon::exporters
