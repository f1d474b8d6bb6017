// Every exporter on a mixed host (an NVIDIA GPU from NVML, an AMD GPU from DRM): /query keeps its exact shape
// with the AMD GPU as a row like any other; the API adds vendor fields only where they exist and per-engine
// busy %; /metrics keeps DCGM names for NVIDIA only and gives every GPU the vendor-neutral cmon_gpu_* series.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exporters/api_exporter.hpp"
#include "exporters/prometheus_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

constexpr std::uint64_t kGiB = 1024ULL * 1024 * 1024;
const std::string kId = "0123456789ab" + std::string(52, 'c');

model::Snapshot mixed_host() {
    model::Snapshot s;
    s.host.hostname = "lab1";
    s.host.memory_total_bytes = 64 * kGiB;
    model::ContainerStats ana;
    ana.id = kId;
    ana.short_id = kId.substr(0, 12);
    ana.name = "ana";
    ana.image = "rocm/pytorch";
    ana.state = "running";
    s.containers.push_back(ana);

    model::GpuDevice nvidia;
    nvidia.index = 0;
    nvidia.name = "NVIDIA L4";
    nvidia.uuid = "GPU-l4";
    nvidia.utilization_percent = 50;
    nvidia.memory_used_bytes = 1 * kGiB;
    nvidia.memory_total_bytes = 24 * kGiB;
    s.gpus.push_back(nvidia);

    model::GpuDevice amd;
    amd.index = 1;
    amd.name = "AMD Instinct MI210";
    amd.uuid = "a1b2c3d4e5f60718";
    amd.vendor = "amd";
    amd.driver = "amdgpu";
    amd.pci_bus_id = "0000:03:00.0";
    amd.render_node = "renderD128";
    amd.utilization_percent = 37;
    amd.memory_used_bytes = 16 * kGiB;
    amd.memory_total_bytes = 64 * kGiB;
    amd.temperature_celsius = 45;
    amd.power_draw_milliwatts = 93000;
    amd.fan_rpm = 1250;
    amd.sm_clock_mhz = 1700;
    s.gpus.push_back(amd);

    model::GpuProcess process;
    process.pid = 4101;
    process.gpu_index = 1;
    process.memory_used_bytes = 8 * kGiB;
    process.engine_busy_percent = {{"gfx", 12.5}, {"compute", 80.0}};
    process.sm_percent = 80;
    process.type = "graphics";
    process.container_id = kId;
    s.gpu_processes.push_back(process);
    return s;
}

TEST(GpuVendorExporters, QueryShowsTheAmdGpuAsARowLikeAnyOther) {
    const auto q = nlohmann::json::parse(to_query_json(mixed_host()));
    const auto& rows = q["host-stats"]["gpu"];
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0].size(), rows[1].size());
    for (const auto& [key, value] : rows[0].items()) EXPECT_TRUE(rows[1].contains(key)) << key;
    EXPECT_EQ(rows[1]["id"], 1);
    EXPECT_EQ(rows[1]["model"], "AMD Instinct MI210");
    EXPECT_EQ(rows[1]["util-perc"], 37);
    EXPECT_DOUBLE_EQ(rows[1]["mem-perc-used"].get<double>(), 25.0);
    const auto& procs = q["container-stats"][kId.substr(0, 12)]["gpu-proc"];
    ASSERT_EQ(procs.size(), 1U);
    EXPECT_EQ(procs[0]["gpu-idx"], 1);
    EXPECT_EQ(procs[0]["sm-util"], 80);  // the busiest engine
    EXPECT_DOUBLE_EQ(procs[0]["mem-perc-used"].get<double>(), 12.5);
    EXPECT_EQ(q.dump().find("vendor"), std::string::npos);  // the legacy shape gains nothing
}

TEST(GpuVendorExporters, ApiAddsVendorFieldsOnlyWhereTheyExist) {
    const auto api = nlohmann::json::parse(to_api_json(mixed_host()));
    const auto& nvidia = api["gpus"][0];
    const auto& amd = api["gpus"][1];
    EXPECT_EQ(nvidia["vendor"], "nvidia");
    for (const char* key : {"driver", "pci_bus_id", "render_node", "fan_rpm", "sm_clock_mhz", "gtt_memory_used_bytes"})
        EXPECT_FALSE(nvidia.contains(key)) << key;
    EXPECT_EQ(amd["vendor"], "amd");
    EXPECT_EQ(amd["driver"], "amdgpu");
    EXPECT_EQ(amd["pci_bus_id"], "0000:03:00.0");
    EXPECT_EQ(amd["render_node"], "renderD128");
    EXPECT_EQ(amd["fan_rpm"], 1250);
    EXPECT_EQ(amd["sm_clock_mhz"], 1700);
    EXPECT_FALSE(amd.contains("memory_utilization_percent"));
    EXPECT_FALSE(amd.contains("fan_percent"));
    const auto& process = api["gpu_processes"][0];
    EXPECT_EQ(process["engine_busy_percent"], (nlohmann::json{{"compute", 80.0}, {"gfx", 12.5}}));
    EXPECT_EQ(process["sm_percent"], 80);
}

TEST(GpuVendorExporters, NvidiaProcessesHaveNoEngineMap) {
    model::Snapshot s = mixed_host();
    s.gpu_processes[0].engine_busy_percent.clear();
    const auto api = nlohmann::json::parse(to_api_json(s));
    EXPECT_FALSE(api["gpu_processes"][0].contains("engine_busy_percent"));
}

TEST(GpuVendorExporters, DcgmNamesForNvidiaOnlyVendorNeutralSeriesForEvery) {
    const std::string text = to_prometheus(mixed_host(), PrometheusOptions{});
    auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
    EXPECT_NE(text.find("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\""), std::string::npos);
    EXPECT_EQ(text.find("DCGM_FI_DEV_GPU_UTIL{gpu=\"1\""), std::string::npos);
    EXPECT_EQ(text.find("DCGM_FI_DEV_FB_USED{gpu=\"1\""), std::string::npos);
    const std::string amd =
        R"({gpu="1",vendor="amd",uuid="a1b2c3d4e5f60718",pci="0000:03:00.0",model="AMD Instinct MI210"})";
    const std::string nvidia = R"({gpu="0",vendor="nvidia",uuid="GPU-l4",pci="",model="NVIDIA L4"})";
    EXPECT_TRUE(has("cmon_gpu_utilization_ratio" + amd + " 0.37")) << text;
    EXPECT_TRUE(has("cmon_gpu_utilization_ratio" + nvidia + " 0.5")) << text;
    EXPECT_TRUE(has("cmon_gpu_memory_used_bytes" + amd + " 17179869184"));
    EXPECT_TRUE(has("cmon_gpu_memory_total_bytes" + amd + " 68719476736"));
    EXPECT_TRUE(has("cmon_gpu_temperature_celsius" + amd + " 45"));
    EXPECT_TRUE(has("cmon_gpu_power_watts" + amd + " 93"));
    EXPECT_EQ(text.find("cmon_gpu_temperature_celsius" + nvidia), std::string::npos);  // not reported: absent
    EXPECT_TRUE(has(R"(cmon_gpu_process_utilization_ratio{pid="4101",gpu="1",container="ana",container_id=")" + kId +
                    "\"} 0.8"));
    EXPECT_TRUE(has(R"(cmon_container_gpu_utilization_ratio{id="/docker/)" + kId +
                    R"(",name="ana",image="rocm/pytorch"} 0.8)"));
}

TEST(GpuVendorExporters, PerEngineSeriesPerProcessAndPerContainer) {
    model::Snapshot s = mixed_host();
    model::GpuProcess other = s.gpu_processes[0];  // a second process of the same container on the same GPU
    other.pid = 4102;
    other.engine_busy_percent = {{"compute", 30.0}, {"dma", 4.0}};
    s.gpu_processes.push_back(other);
    model::GpuProcess host = s.gpu_processes[0];  // a host process: its own series, no container's
    host.pid = 900;
    host.container_id.reset();
    host.engine_busy_percent = {{"gfx", 1.0}};
    s.gpu_processes.push_back(host);
    const std::string text = to_prometheus(s, PrometheusOptions{});
    auto has = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
    const std::string process = R"(cmon_gpu_process_engine_utilization_ratio{pid="4101",gpu="1",container="ana",container_id=")";
    EXPECT_TRUE(has(process + kId + R"(",engine="gfx"} 0.125)")) << text;
    EXPECT_TRUE(has(process + kId + R"(",engine="compute"} 0.8)")) << text;
    EXPECT_TRUE(has(R"(cmon_gpu_process_engine_utilization_ratio{pid="900",gpu="1",container="",container_id="",engine="gfx"} 0.01)"));
    const std::string container = R"(cmon_container_gpu_engine_utilization_ratio{id="/docker/)" + kId +
                                  R"(",name="ana",image="rocm/pytorch",gpu="1",engine=")";
    EXPECT_TRUE(has(container + R"(compute"} 1)")) << text;  // 0.8 + 0.3, at most the whole engine class
    EXPECT_TRUE(has(container + R"(gfx"} 0.125)")) << text;
    EXPECT_TRUE(has(container + R"(dma"} 0.04)")) << text;
    EXPECT_EQ(text.find(R"(cmon_container_gpu_engine_utilization_ratio{id="",)"), std::string::npos);
    EXPECT_NE(text.find("# TYPE cmon_gpu_process_engine_utilization_ratio gauge\n"), std::string::npos);
}

TEST(GpuVendorExporters, NvidiaProcessesHaveNoEngineSeries) {
    model::Snapshot s = mixed_host();
    s.gpu_processes[0].engine_busy_percent.clear();
    const std::string text = to_prometheus(s, PrometheusOptions{});
    EXPECT_EQ(text.find("engine_utilization_ratio"), std::string::npos);
}

// The mixed host's whole /metrics, byte for byte (tests/golden/metrics_mixed_host.prom).
TEST(GpuVendorExporters, MixedHostMetricsMatchGolden) {
    testing::expect_matches_golden("metrics_mixed_host.prom", to_prometheus(mixed_host(), PrometheusOptions{}));
}

TEST(GpuVendorExporters, ContainerUtilizationIsZeroWithoutProcessesAndAbsentWithoutRates) {
    model::Snapshot s = mixed_host();
    s.gpu_processes[0].sm_percent.reset();
    const std::string unknown = to_prometheus(s, PrometheusOptions{});
    EXPECT_EQ(unknown.find("cmon_container_gpu_utilization_ratio{"), std::string::npos);
    s.gpu_processes.clear();
    const std::string none = to_prometheus(s, PrometheusOptions{});
    EXPECT_NE(none.find(R"(cmon_container_gpu_utilization_ratio{id="/docker/)" + kId +
                        R"(",name="ana",image="rocm/pytorch"} 0)"),
              std::string::npos);
}

}  // namespace
}  // namespace cmon::exporters
