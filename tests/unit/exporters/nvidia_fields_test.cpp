// Issue 13's fields in every exporter: MIG slices (API under their GPU; /metrics with dcgm-exporter's
// GPU_I_ID / GPU_I_PROFILE), clocks, reserved and free memory, degraded fields, hidden processes,
// unattributed memory, MPS and MIG ids on processes, and the degraded state of a source in /healthz.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exporters/api_exporter.hpp"
#include "exporters/health_exporter.hpp"
#include "exporters/prometheus_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

using nlohmann::json;
constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr std::uint64_t kGiB = 1ULL << 30;

model::Snapshot nvidia_snapshot() {
    model::Snapshot s = testing::golden_snapshot();
    model::GpuDevice& g = s.gpus[0];
    g.mig_enabled = true;
    g.memory_reserved_bytes = 512 * kMiB;
    g.memory_free_bytes = 80 * kGiB - g.memory_used_bytes.value() - 512 * kMiB;
    g.sm_clock_mhz = 1755;
    g.sm_clock_max_mhz = 1980;
    g.memory_clock_mhz = 2619;
    g.memory_clock_max_mhz = 2619;
    g.driver_version = "550.54.15";
    g.degraded = true;
    g.degraded_fields = {"temperature: NOT_SUPPORTED"};
    g.unattributed_memory_bytes = 3 * kGiB;
    model::MigDevice mig;
    mig.index = 0;
    mig.uuid = "MIG-aaaa";
    mig.profile = "1g.10gb";
    mig.gpu_instance_id = 9;
    mig.compute_instance_id = 0;
    mig.memory_used_bytes = 3 * kGiB;
    mig.memory_total_bytes = 10 * kGiB;
    mig.utilization_percent = 37;
    g.mig_devices.push_back(mig);
    mig.index = 1;
    mig.uuid = "MIG-bbbb";
    mig.profile = "3g.40gb";
    mig.gpu_instance_id = 2;
    mig.utilization_percent.reset();
    g.mig_devices.push_back(mig);
    s.gpus[1].processes_hidden = true;
    s.gpu_processes[0].gpu_instance_id = 9;
    s.gpu_processes[0].compute_instance_id = 0;
    s.gpu_processes[0].mps = true;
    s.sources[2].degraded = true;
    s.sources[2].warnings = {"GPU 0 (GPU-x): temperature: NOT_SUPPORTED"};
    return s;
}

TEST(NvidiaFields, ApiShowsMigSlicesUnderTheirGpuAndTheNewFields) {
    json root = api_snapshot_value(nvidia_snapshot());
    const json& g = root["gpus"][0];
    EXPECT_EQ(g["memory_reserved_bytes"], 512 * kMiB);
    EXPECT_EQ(g["sm_clock_mhz"], 1755);
    EXPECT_EQ(g["sm_clock_max_mhz"], 1980);
    EXPECT_EQ(g["memory_clock_mhz"], 2619);
    EXPECT_EQ(g["memory_clock_max_mhz"], 2619);
    EXPECT_EQ(g["driver_version"], "550.54.15");
    EXPECT_EQ(g["degraded"], true);
    EXPECT_EQ(g["degraded_fields"], json::array({"temperature: NOT_SUPPORTED"}));
    EXPECT_EQ(g["unattributed_memory_bytes"], 3 * kGiB);
    ASSERT_EQ(g["mig_devices"].size(), 2U);
    EXPECT_EQ(g["mig_devices"][0], (json{{"index", 0},
                                         {"uuid", "MIG-aaaa"},
                                         {"profile", "1g.10gb"},
                                         {"gpu_instance_id", 9},
                                         {"compute_instance_id", 0},
                                         {"memory_used_bytes", 3 * kGiB},
                                         {"memory_total_bytes", 10 * kGiB},
                                         {"utilization_percent", 37}}));
    EXPECT_FALSE(g["mig_devices"][1].contains("utilization_percent")) << "n/a without GPM, not 0";
    const json& other = root["gpus"][1];
    EXPECT_FALSE(other.contains("degraded")) << "only present when true";
    EXPECT_FALSE(other.contains("mig_devices")) << "absent when MIG is off";
    EXPECT_EQ(other["processes_hidden"], true);
    const json& p = root["gpu_processes"][0];
    EXPECT_EQ(p["gpu_instance_id"], 9);
    EXPECT_EQ(p["compute_instance_id"], 0);
    EXPECT_EQ(p["mps"], true);
    EXPECT_FALSE(root["gpu_processes"][1].contains("mps"));
    EXPECT_EQ(root["sources"][2]["degraded"], true);
}

TEST(NvidiaFields, MetricsLabelMigSlicesAsDcgmExporterDoes) {
    std::string text = to_prometheus(nvidia_snapshot(), {"0.1.0-test", "", false});
    const std::string labels =
        "gpu=\"0\",UUID=\"GPU-9a8b7c6d-0000-1111-2222-333344445555\",device=\"nvidia0\",modelName=\"NVIDIA "
        "A100-SXM4-80GB\",Hostname=\"2gpu-3\"";
    auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
    EXPECT_TRUE(has("DCGM_FI_DEV_FB_USED{" + labels + ",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"9\"} 3072")) << text;
    EXPECT_TRUE(has("DCGM_FI_DEV_FB_TOTAL{" + labels + ",GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"2\"} 10240"));
    EXPECT_TRUE(has("DCGM_FI_DEV_GPU_UTIL{" + labels + ",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"9\"} 37"));
    EXPECT_EQ(text.find("GPU_I_PROFILE=\"3g.40gb\",GPU_I_ID=\"2\"} 37"), std::string::npos);
    EXPECT_TRUE(has("DCGM_FI_DEV_SM_CLOCK{" + labels + "} 1755"));
    EXPECT_TRUE(has("DCGM_FI_DEV_MEM_CLOCK{" + labels + "} 2619"));
    EXPECT_TRUE(has("DCGM_FI_DEV_MAX_SM_CLOCK{" + labels + "} 1980"));
    EXPECT_TRUE(has("DCGM_FI_DEV_FB_RESERVED{" + labels + "} 512"));
    // free = total - used - reserved = 80 GiB - (10.5 GiB + 1 B) - 512 MiB
    EXPECT_TRUE(has("DCGM_FI_DEV_FB_FREE{" + labels + "} 70655")) << text;
    EXPECT_TRUE(has("cmon_gpu_degraded{gpu=\"0\",UUID=\"GPU-9a8b7c6d-0000-1111-2222-333344445555\"} 1"));
    EXPECT_TRUE(
        has("cmon_gpu_unattributed_memory_bytes{gpu=\"0\",UUID=\"GPU-9a8b7c6d-0000-1111-2222-333344445555\"} "
            "3221225472"));
    EXPECT_TRUE(has("cmon_gpu_processes_hidden{gpu=\"1\",UUID=\"GPU-1f2e3d4c-6666-7777-8888-999900001111\"} 1"));
    EXPECT_TRUE(has("cmon_source_degraded{source=\"gpu\"} 1"));
    // One HELP/TYPE per family even with MIG rows inside it.
    std::size_t first = text.find("# TYPE DCGM_FI_DEV_FB_USED gauge");
    ASSERT_NE(first, std::string::npos);
    EXPECT_EQ(text.find("# TYPE DCGM_FI_DEV_FB_USED gauge", first + 1), std::string::npos);
}

TEST(NvidiaFields, HealthSaysDegradedApartFromBrokenWithTheWarnings) {
    model::Snapshot s = nvidia_snapshot();
    json health = json::parse(to_health_json(&s, false));
    EXPECT_EQ(health["sources"][0]["state"], "ok");
    EXPECT_EQ(health["sources"][2]["state"], "degraded");
    EXPECT_EQ(health["sources"][2]["ok"], true);
    EXPECT_EQ(health["sources"][2]["warnings"], json::array({"GPU 0 (GPU-x): temperature: NOT_SUPPORTED"}));
    EXPECT_EQ(health["sources"][3]["state"], "error");
    EXPECT_FALSE(health["sources"][0].contains("warnings"));
}

TEST(NvidiaFields, QueryKeepsItsShape) {
    // /query never changes: the same text with or without the NVIDIA details.
    EXPECT_EQ(to_query_json(nvidia_snapshot()), to_query_json(testing::golden_snapshot()));
}

}  // namespace
}  // namespace cmon::exporters
