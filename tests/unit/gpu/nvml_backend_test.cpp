// NvmlBackend against the stand-in libnvidia-ml.so.1 (tests/fakes/fake_nvml.cpp), loaded by path.
#include "sources/gpu/nvml/nvml_backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "fakes/fake_nvml_scenario.hpp"
#include "util/error.hpp"

namespace cmon::sources {
namespace {

using nlohmann::json;
using testing::fake_nvml_path;
using testing::FakeNvmlScenario;

json full_gpu(const std::string& name, const std::string& uuid) {
    return {{"name", name},
            {"uuid", uuid},
            {"memory_total", 85899345920ULL},
            {"memory_used", 1073741824ULL},
            {"util", 42},
            {"memory_util", 17},
            {"temperature", 61},
            {"power_mw", 250000},
            {"power_limit_mw", 700000},
            {"fan", 33},
            {"mig", false},
            {"processes", json::array()}};
}

const model::GpuProcess* find(const GpuSample& sample, unsigned gpu, unsigned pid) {
    auto it = std::find_if(sample.processes.begin(), sample.processes.end(),
                           [&](const model::GpuProcess& p) { return p.gpu_index == gpu && p.pid == pid; });
    return it == sample.processes.end() ? nullptr : &*it;
}

TEST(NvmlBackend, ReportsEveryDeviceField) {
    FakeNvmlScenario scenario;
    json second = full_gpu("NVIDIA A100-SXM4-40GB", "GPU-bbbb");
    second["mig"] = true;
    scenario.write({{"gpus", {full_gpu("NVIDIA H100 80GB HBM3", "GPU-aaaa"), second}}});

    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.devices.size(), 2U);
    const model::GpuDevice& gpu = sample.devices[0];
    EXPECT_EQ(gpu.index, 0U);
    EXPECT_EQ(gpu.name, "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(gpu.uuid, "GPU-aaaa");
    EXPECT_FALSE(gpu.lost);
    EXPECT_EQ(gpu.utilization_percent, 42U);
    EXPECT_EQ(gpu.memory_utilization_percent, 17U);
    EXPECT_EQ(gpu.memory_total_bytes, 85899345920ULL);
    EXPECT_EQ(gpu.memory_used_bytes, 1073741824ULL);
    EXPECT_EQ(gpu.temperature_celsius, 61U);
    EXPECT_EQ(gpu.power_draw_milliwatts, 250000U);
    EXPECT_EQ(gpu.power_limit_milliwatts, 700000U);
    EXPECT_EQ(gpu.fan_percent, 33U);
    EXPECT_EQ(gpu.mig_enabled, false);
    EXPECT_EQ(sample.devices[1].index, 1U);
    EXPECT_EQ(sample.devices[1].uuid, "GPU-bbbb");
    EXPECT_EQ(sample.devices[1].mig_enabled, true);
}

TEST(NvmlBackend, UnsupportedFieldsAreAbsentNotZero) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", {{{"name", "Tesla T4"}, {"uuid", "GPU-t4"}}}}});

    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.devices.size(), 1U);
    const model::GpuDevice& gpu = sample.devices[0];
    EXPECT_EQ(gpu.name, "Tesla T4");
    EXPECT_FALSE(gpu.lost);
    EXPECT_FALSE(gpu.utilization_percent.has_value());
    EXPECT_FALSE(gpu.memory_utilization_percent.has_value());
    EXPECT_FALSE(gpu.memory_used_bytes.has_value());
    EXPECT_FALSE(gpu.memory_total_bytes.has_value());
    EXPECT_FALSE(gpu.temperature_celsius.has_value());
    EXPECT_FALSE(gpu.power_draw_milliwatts.has_value());
    EXPECT_FALSE(gpu.power_limit_milliwatts.has_value());
    EXPECT_FALSE(gpu.fan_percent.has_value());
    EXPECT_FALSE(gpu.mig_enabled.has_value());
    EXPECT_TRUE(sample.processes.empty());
}

TEST(NvmlBackend, NoGpusIsAnEmptySample) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", json::array()}});
    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();
    EXPECT_TRUE(sample.devices.empty());
    EXPECT_TRUE(sample.processes.empty());
}

TEST(NvmlBackend, LostGpuIsMarkedWhileOthersKeepTheirData) {
    FakeNvmlScenario scenario;
    json lost = full_gpu("NVIDIA H100", "GPU-lost");
    lost["lost"] = true;
    lost["processes"] = {{{"pid", 10}, {"used_memory", 5}}};
    json healthy = full_gpu("NVIDIA H100", "GPU-ok");
    healthy["processes"] = {{{"pid", 20}, {"used_memory", 7}}};
    scenario.write({{"gpus", {lost, healthy}}});

    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.devices.size(), 2U);
    EXPECT_TRUE(sample.devices[0].lost);
    EXPECT_EQ(sample.devices[0].index, 0U);
    EXPECT_FALSE(sample.devices[0].utilization_percent.has_value());
    EXPECT_FALSE(sample.devices[1].lost);
    EXPECT_EQ(sample.devices[1].uuid, "GPU-ok");
    EXPECT_EQ(sample.devices[1].utilization_percent, 42U);
    EXPECT_EQ(find(sample, 0, 10), nullptr);
    ASSERT_NE(find(sample, 1, 20), nullptr);
    EXPECT_EQ(find(sample, 1, 20)->memory_used_bytes, 7U);
}

TEST(NvmlBackend, GrowsBuffersWhenNvmlAnswersInsufficientSize) {
    FakeNvmlScenario scenario;
    json gpu = full_gpu("NVIDIA H100", "GPU-many");
    // More processes than the initial buffer (16), and a forced INSUFFICIENT_SIZE on every first call.
    for (unsigned pid = 1000; pid < 1040; ++pid) {
        gpu["processes"].push_back({{"pid", pid}, {"used_memory", pid * 10}, {"sm_util", pid % 7}});
    }
    gpu["processes"].push_back({{"pid", 5000}, {"used_memory", 1}, {"type", "graphics"}});
    scenario.write({{"gpus", {gpu}}, {"insufficient_size_first_call", true}});

    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.processes.size(), 41U);
    for (unsigned pid = 1000; pid < 1040; ++pid) {
        const model::GpuProcess* process = find(sample, 0, pid);
        ASSERT_NE(process, nullptr) << pid;
        EXPECT_EQ(process->memory_used_bytes, pid * 10ULL);
        EXPECT_EQ(process->sm_percent, pid % 7) << pid;
    }
    ASSERT_NE(find(sample, 0, 5000), nullptr);
    EXPECT_EQ(find(sample, 0, 5000)->type, "graphics");
}

TEST(NvmlBackend, MergesComputeAndGraphicsEntriesOfOnePid) {
    FakeNvmlScenario scenario;
    json gpu = full_gpu("NVIDIA RTX 6000", "GPU-cg");
    gpu["processes"] = {{{"pid", 100}, {"used_memory", 1000}, {"type", "compute"}},
                        {{"pid", 100}, {"used_memory", 2000}, {"type", "graphics"}},
                        {{"pid", 101}, {"type", "graphics"}},
                        {{"pid", 102}, {"used_memory", 3000}}};
    scenario.write({{"gpus", {gpu}}});

    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.processes.size(), 3U);
    const model::GpuProcess* both = find(sample, 0, 100);
    ASSERT_NE(both, nullptr);
    EXPECT_EQ(both->type, "compute+graphics");
    EXPECT_EQ(both->memory_used_bytes, 2000U);
    const model::GpuProcess* graphics = find(sample, 0, 101);
    ASSERT_NE(graphics, nullptr);
    EXPECT_EQ(graphics->type, "graphics");
    EXPECT_FALSE(graphics->memory_used_bytes.has_value()) << "NVML_VALUE_NOT_AVAILABLE must read as absent";
    EXPECT_EQ(find(sample, 0, 102)->type, "compute");
}

TEST(NvmlBackend, SmPercentComesFromProcessUtilizationSamples) {
    FakeNvmlScenario scenario;
    json busy = full_gpu("NVIDIA H100", "GPU-busy");
    busy["processes"] = {{{"pid", 1}, {"used_memory", 10}, {"sm_util", 87}}, {{"pid", 2}, {"used_memory", 10}}};
    json idle = full_gpu("NVIDIA H100", "GPU-idle");
    idle["processes"] = {{{"pid", 3}, {"used_memory", 10}}};  // no samples at all: NVML_ERROR_NOT_FOUND
    scenario.write({{"gpus", {busy, idle}}});

    NvmlBackend backend(fake_nvml_path());
    for (int tick = 0; tick < 2; ++tick) {  // the second call passes the last seen timestamp
        GpuSample sample = backend.sample();
        ASSERT_EQ(sample.processes.size(), 3U);
        EXPECT_EQ(find(sample, 0, 1)->sm_percent, 87U);
        EXPECT_EQ(find(sample, 0, 2)->sm_percent, 0U) << "no sample since last seen: idle";
        EXPECT_EQ(find(sample, 1, 3)->sm_percent, 0U) << "NOT_FOUND: idle";
        EXPECT_FALSE(sample.devices[1].lost);
    }
}

TEST(NvmlBackend, PicksUpARewrittenScenarioBetweenSamples) {
    FakeNvmlScenario scenario;
    json gpu = full_gpu("NVIDIA H100", "GPU-x");
    scenario.write({{"gpus", {gpu}}});
    NvmlBackend backend(fake_nvml_path());
    GpuSample before = backend.sample();
    ASSERT_EQ(before.devices.size(), 1U);
    EXPECT_EQ(before.devices[0].utilization_percent, 42U);
    EXPECT_TRUE(before.processes.empty());

    gpu["util"] = 99;
    gpu["processes"] = {{{"pid", 4242}, {"used_memory", 123}}};
    json added = full_gpu("NVIDIA H100", "GPU-y");
    added["lost"] = true;
    scenario.write({{"gpus", {gpu, added}}});
    GpuSample after = backend.sample();

    ASSERT_EQ(after.devices.size(), 2U);
    EXPECT_EQ(after.devices[0].utilization_percent, 99U);
    EXPECT_TRUE(after.devices[1].lost);
    ASSERT_NE(find(after, 0, 4242), nullptr);
}

TEST(NvmlBackend, MissingLibrarySaysNoDriver) {
    try {
        NvmlBackend backend("/nonexistent/libnvidia-ml.so.1");
        FAIL() << "expected util::Error";
    } catch (const util::Error& error) {
        EXPECT_NE(std::string(error.what()).find("gpu: no NVIDIA driver found (/nonexistent/libnvidia-ml.so.1"),
                  std::string::npos)
            << error.what();
    }
}

TEST(NvmlBackend, LibraryWithoutNvmlSymbolsIsRejected) {
    try {
        NvmlBackend backend("libm.so.6");
        FAIL() << "expected util::Error";
    } catch (const util::Error& error) {
        EXPECT_NE(std::string(error.what()).find("no NVIDIA driver found (libm.so.6 lacks"), std::string::npos)
            << error.what();
    }
}

TEST(NvmlBackend, FailingInitIsReportedWithNvmlsReason) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", json::array()}, {"init_error", 9}});
    try {
        NvmlBackend backend(fake_nvml_path());
        FAIL() << "expected util::Error";
    } catch (const util::Error& error) {
        EXPECT_NE(std::string(error.what()).find("nvmlInit failed: Driver Not Loaded"), std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace cmon::sources
