// The fixed snapshot behind the exporter goldens (tests/golden/): 2 GPUs, 2 containers, a host GPU
// process, an idle GPU memory holder and a failed source; and the golden comparison itself.
#pragma once

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <sstream>
#include <string>

#include "model/accounting.hpp"
#include "model/snapshot.hpp"

namespace cmon::exporters::testing {

constexpr std::uint64_t kMiB = 1024ull * 1024;
constexpr std::uint64_t kGiB = 1024ull * kMiB;

inline model::TimePoint at_ms(std::int64_t unix_ms) { return model::TimePoint(std::chrono::milliseconds(unix_ms)); }

inline model::Snapshot golden_snapshot() {
    model::Snapshot s;
    s.sequence = 42;
    s.time = at_ms(1690926872250);  // 2023-08-01T21:54:32.250Z
    s.note = "maintenance friday";

    model::HostStats& h = s.host;
    h.hostname = "2gpu-3";
    h.primary_ipv4 = "10.3.240.101";
    h.cpu_count = 16;
    h.cpu_times = {123456, 9876543};
    h.cpu_busy_percent = 5.94;
    h.memory_total_bytes = 67430219776;
    h.memory_available_bytes = 62490525696;
    h.memory_used_bytes = h.memory_total_bytes - h.memory_available_bytes;
    h.swap_total_bytes = 2 * kGiB;
    h.swap_used_bytes = 0;
    h.load = model::LoadAverage{0.52, 0.61, 0.7};
    h.uptime_seconds = 123456.78;
    h.filesystems.push_back({"/", "/dev/nvme0n1p2", "ext4", 982141468672, 412316860416, 519927291904});
    h.filesystems.push_back({"/mnt/usb \"backup\"", "/dev/sdb1", "vfat", 64 * kGiB, 10 * kGiB, 54 * kGiB});
    h.network_rx = {123456789012, 1234.5};
    h.network_tx = {98765432, 321.25};
    h.disk_read = {5000000000000, 0.0};
    h.disk_write = {7000000000, std::nullopt};

    model::ContainerStats trainer;
    trainer.id = "19ea60696906a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a";
    trainer.short_id = "19ea60696906";
    trainer.name = "trainer";
    trainer.image = "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime";
    trainer.state = "running";
    trainer.started_at = at_ms(1690920000000);
    trainer.labels = {{"com.docker.compose.project", "ml"}};
    trainer.init_pid = 678300;
    trainer.cpu_time_ns_total = 1234567890123;
    trainer.cpu_percent = 145.08;
    trainer.memory_usage_bytes = 3 * kGiB;
    trainer.memory_working_set_bytes = static_cast<std::uint64_t>(1.4 * kGiB);
    trainer.pids = 17;
    trainer.network_rx = model::ByteCounter{1048576, 2048.0};
    trainer.network_tx = model::ByteCounter{524288, 1024.0};
    trainer.block_read = model::ByteCounter{4096000, std::nullopt};
    trainer.block_write = model::ByteCounter{8192000, std::nullopt};
    trainer.gpus_assigned = {0, 1};
    trainer.owner = "ana";
    trainer.network_interfaces.push_back({"eth0", 1048000, 900, 0, 2, 524288, 700, 1, 0});
    trainer.network_interfaces.push_back({"eth1", 576, 4, 0, 0, 0, 0, 0, 0});
    trainer.cpu_user_ns_total = 1000000000000;
    trainer.cpu_system_ns_total = 234567890123;
    trainer.memory_rss_bytes = 2 * kGiB;
    trainer.memory_cache_bytes = 1 * kGiB;
    trainer.memory_swap_bytes = 0;
    trainer.memory_failcnt = 0;
    trainer.oom_kill_events_total = 1;
    trainer.cpu_quota_us = 800000;
    trainer.cpu_period_us = 100000;
    s.containers.push_back(trainer);

    model::ContainerStats notebook;
    notebook.id = "52dfb3934c24f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f";
    notebook.short_id = "52dfb3934c24";
    notebook.name = "notebook";
    notebook.image = "jupyter/base-notebook:latest";
    notebook.state = "running";
    notebook.started_at = at_ms(1690926000000);
    notebook.cpu_time_ns_total = 5000000;
    notebook.memory_usage_bytes = 512 * kMiB;
    notebook.memory_working_set_bytes = 300 * kMiB;
    notebook.memory_limit_bytes = 8 * kGiB;
    notebook.pids = 3;
    notebook.all_gpus_assigned = true;
    s.containers.push_back(notebook);

    for (unsigned i = 0; i < 2; ++i) {
        model::GpuDevice gpu;
        gpu.index = i;
        gpu.name = "NVIDIA A100-SXM4-80GB";
        gpu.uuid = i == 0 ? "GPU-9a8b7c6d-0000-1111-2222-333344445555" : "GPU-1f2e3d4c-6666-7777-8888-999900001111";
        gpu.utilization_percent = i == 0 ? 72 : 0;
        gpu.memory_utilization_percent = i == 0 ? 31 : 0;
        gpu.memory_total_bytes = 80 * kGiB;
        gpu.memory_used_bytes = i == 0 ? 10 * kGiB + 512 * kMiB + 1 : 6 * kGiB;
        gpu.temperature_celsius = i == 0 ? 54 : 33;
        gpu.power_draw_milliwatts = i == 0 ? 245123 : 61000;
        gpu.power_limit_milliwatts = 400000;
        if (i == 0) gpu.fan_percent = 30;  // GPU 1 has no fan reading: its sample is omitted
        gpu.mig_enabled = false;
        gpu.memory_reserved_bytes = 512 * kMiB;
        gpu.sm_clock_mhz = i == 0 ? 1410 : 210;
        gpu.sm_clock_max_mhz = 1410;
        gpu.memory_clock_mhz = 1593;
        gpu.memory_clock_max_mhz = 1593;
        gpu.driver_version = "550.54.15";
        if (i == 0) gpu.unattributed_memory_bytes = 1;  // 10.5 GiB + 1 B used, processes hold 10.5 GiB
        s.gpus.push_back(gpu);
    }

    model::GpuProcess busy;
    busy.pid = 678400;
    busy.gpu_index = 0;
    busy.memory_used_bytes = 10 * kGiB;
    busy.sm_percent = 62;
    busy.container_id = trainer.id;
    busy.container_pid = 1;
    // Per-engine busy % as the DRM backend (AMD/Intel) reports it, so the per-engine series have samples.
    busy.engine_busy_percent = {{"compute", 62.0}, {"gfx", 4.5}};
    s.gpu_processes.push_back(busy);
    model::GpuProcess second = busy;
    second.engine_busy_percent.clear();
    second.gpu_index = 1;
    second.memory_used_bytes = 2 * kGiB;
    second.sm_percent = 0;
    s.gpu_processes.push_back(second);
    model::GpuProcess host_process;
    host_process.pid = 4242;
    host_process.gpu_index = 0;
    host_process.memory_used_bytes = 512 * kMiB;
    host_process.sm_percent = 3;
    host_process.type = "graphics";
    host_process.command = "Xorg :0";
    s.gpu_processes.push_back(host_process);
    model::GpuProcess idle;
    idle.pid = 91011;
    idle.gpu_index = 1;
    idle.memory_used_bytes = 4 * kGiB;
    idle.sm_percent = 0;
    idle.container_id = notebook.id;
    idle.container_pid = 57;
    idle.idle_since = at_ms(1690923272000);
    s.gpu_processes.push_back(idle);

    s.sources.push_back({"host", true, "", "", s.time});
    s.sources.push_back({"docker", true, "", "", s.time});
    s.sources.push_back({"gpu", true, "", "", s.time});
    s.sources.push_back({"filesystems", false, "statfs /mnt/nfs: stale file handle", "", at_ms(1690926000000)});
    return s;
}

// GPU accounting beside the golden snapshot: the trainer on both GPUs, the notebook idle on GPU 1, and a
// removed container that held a MIG slice.
inline const model::AccountingReport& golden_accounting() {
    static const model::AccountingReport report = [] {
        model::AccountingReport r;
        r.started = at_ms(1690920000000);
        r.since = at_ms(1690923000000);  // 20:50: a window over an hour (the table prints hours)
        r.now = at_ms(1690926872250);
        r.sequence = 42;
        model::ContainerAccount trainer;
        trainer.id = "19ea60696906a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a";
        trainer.short_id = "19ea60696906";
        trainer.name = "trainer";
        trainer.owner = "ana";
        trainer.gpus.push_back({0, std::nullopt, "GPU-9a8b7c6d-0000-1111-2222-333344445555",
                                {6872.25, 4260.795, 0}, {3272.25, 2028.795, 0}});
        trainer.gpus.push_back({1, std::nullopt, "GPU-1f2e3d4c-6666-7777-8888-999900001111",
                                {120, 0.5, 0}, {120, 0.5, 0}});
        r.containers.push_back(trainer);
        model::ContainerAccount notebook;
        notebook.id = "52dfb3934c24f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f00f";
        notebook.short_id = "52dfb3934c24";
        notebook.name = "notebook";
        notebook.owner = "notebook";
        notebook.gpus.push_back({1, std::nullopt, "GPU-1f2e3d4c-6666-7777-8888-999900001111",
                                 {3600, 0, 3000}, {3272.25, 0, 3000}});
        r.containers.push_back(notebook);
        model::ContainerAccount gone;
        gone.id = "7a7a7a7a7a7a000000000000000000000000000000000000000000000000ffff";
        gone.short_id = "7a7a7a7a7a7a";
        gone.name = "ana-old";
        gone.owner = "ana";
        gone.removed = true;
        gone.removed_at = at_ms(1690925000000);
        gone.gpus.push_back({0, 2u, "MIG-5c4d3e2f-aaaa-bbbb-cccc-ddddeeeeffff", {1800, 900, 0}, {1400, 700, 0}});
        r.containers.push_back(gone);
        return r;
    }();
    return report;
}

// Compares with tests/golden/<name> byte for byte; CMON_UPDATE_GOLDEN=1 rewrites the file instead
// (review the diff before committing it).
inline void expect_matches_golden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(CMON_GOLDEN_DIR) + "/" + name;
    const char* update = std::getenv("CMON_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
        std::ofstream(path, std::ios::binary) << actual;
        std::cout << "updated " << path << "\n";
        return;
    }
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file) << path << " is missing: run the test with CMON_UPDATE_GOLDEN=1 and review it";
    std::ostringstream expected;
    expected << file.rdbuf();
    EXPECT_EQ(expected.str(), actual) << "differs from " << path
                                      << " (CMON_UPDATE_GOLDEN=1 regenerates it; review the diff)";
}

}  // namespace cmon::exporters::testing
