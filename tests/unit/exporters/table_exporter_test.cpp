#include "exporters/table_exporter.hpp"

#include <gtest/gtest.h>

namespace cmon::exporters {
namespace {

TEST(HumanBytes, Units) {
    EXPECT_EQ(human_bytes(0), "0B");
    EXPECT_EQ(human_bytes(1023), "1023B");
    EXPECT_EQ(human_bytes(1024), "1.00KiB");
    EXPECT_EQ(human_bytes(1536ull * 1024 * 1024), "1.50GiB");
    EXPECT_EQ(human_bytes(200ull * 1024 * 1024), "200MiB");
    EXPECT_EQ(human_bytes(~0ull), "16384PiB");
}

TEST(TableExporter, ContainersWithTheirGpuProcessesAndMissingSources) {
    model::Snapshot s;
    s.host.hostname = "gpu-7";
    s.host.cpu_count = 64;
    s.host.memory_total_bytes = 64ull << 30;
    model::ContainerStats c;
    c.id = "aaaaaaaaaaaa1111";
    c.short_id = "aaaaaaaaaaaa";
    c.name = "alice-train";
    c.cpu_percent = 250.0;
    c.memory_working_set_bytes = 2ull << 30;
    s.containers.push_back(c);
    model::GpuDevice g;
    g.index = 0;
    g.name = "NVIDIA H200";
    g.memory_total_bytes = 141ull << 30;
    g.memory_used_bytes = 10ull << 30;
    s.gpus.push_back(g);
    model::GpuProcess p;
    p.pid = 4242;
    p.container_pid = 17;
    p.container_id = c.id;
    p.memory_used_bytes = 10ull << 30;
    p.sm_percent = 0;
    p.idle_since = s.time;
    s.gpu_processes.push_back(p);
    model::GpuProcess host = p;
    host.pid = 99;
    host.container_id.reset();
    host.container_pid.reset();
    host.idle_since.reset();
    s.gpu_processes.push_back(host);
    s.sources.push_back({"docker", false, "docker: connection refused", "", std::nullopt});

    std::string table = to_table(s);
    EXPECT_NE(table.find("HOST gpu-7"), std::string::npos);
    EXPECT_NE(table.find("alice-train"), std::string::npos);
    EXPECT_NE(table.find("250.0%"), std::string::npos);
    EXPECT_NE(table.find("pid 4242 (pid 17 inside)  GPU 0  10.0GiB  SM 0%  IDLE HOLDER"), std::string::npos) << table;
    EXPECT_LT(table.find("alice-train"), table.find("pid 4242"));
    EXPECT_NE(table.find("GPU PROCESSES OUTSIDE CONTAINERS"), std::string::npos);
    EXPECT_NE(table.find("pid 99"), std::string::npos);
    EXPECT_NE(table.find("NVIDIA H200"), std::string::npos);
    EXPECT_NE(table.find("MISSING\n  docker: connection refused"), std::string::npos);
}

TEST(TableExporter, EmptySnapshot) {
    model::Snapshot s;
    std::string table = to_table(s);
    EXPECT_NE(table.find("(no running containers)"), std::string::npos);
    EXPECT_EQ(table.find("UTIL"), std::string::npos) << "no GPU table on a host without GPUs";
}

}  // namespace
}  // namespace cmon::exporters
