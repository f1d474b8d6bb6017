// NvmlBackend against the stand-in's driver profiles and injected return codes (issue 13): what real drivers
// do, reproduced by tests/fakes/fake_nvml.cpp, and what the monitor must make of it.
#include <algorithm>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>

#include "fakes/fake_nvml_scenario.hpp"
#include "sources/gpu/nvml/nvml_backend.hpp"

namespace cmon::sources {
namespace {

using nlohmann::json;
using testing::fake_nvml_path;
using testing::FakeNvmlScenario;

constexpr unsigned long long kGiB = 1ULL << 30;
constexpr unsigned long long kMiB = 1ULL << 20;

json gpu(const std::string& uuid) {
    return {{"name", "NVIDIA H100 80GB HBM3"},
            {"uuid", uuid},
            {"memory_total", 80 * kGiB},
            {"memory_used", 6 * kGiB},
            {"util", 50},
            {"temperature", 40},
            {"power_mw", 100000},
            {"power_limit_mw", 700000},
            {"sm_clock", 1755},
            {"sm_clock_max", 1980},
            {"mem_clock", 2619},
            {"mem_clock_max", 2619},
            {"processes", json::array()}};
}

const model::GpuProcess* find(const GpuSample& sample, unsigned gpu_index, unsigned pid) {
    auto it = std::find_if(sample.processes.begin(), sample.processes.end(),
                           [&](const model::GpuProcess& p) { return p.gpu_index == gpu_index && p.pid == pid; });
    return it == sample.processes.end() ? nullptr : &*it;
}

bool has_field(const model::GpuDevice& device, const std::string& text) {
    return std::any_of(device.degraded_fields.begin(), device.degraded_fields.end(),
                       [&](const std::string& field) { return field.find(text) != std::string::npos; });
}

json three_processes() {
    return {{{"pid", 4101}, {"used_memory", 1 * kGiB}},
            {{"pid", 4102}, {"used_memory", 2 * kGiB}},
            {{"pid", 4103}, {"used_memory", 3 * kGiB}}};
}

// Every profile: three processes come back with their real pids and memory, whatever stride the driver uses.
class DriverProfile : public ::testing::TestWithParam<const char*> {};

TEST_P(DriverProfile, ListsEveryProcessWithItsPidAndMemory) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-profile");
    device["processes"] = three_processes();
    scenario.write({{"gpus", {device}}});

    NvmlBackend backend(fake_nvml_path(GetParam()));
    GpuSample sample = backend.sample();

    ASSERT_EQ(sample.processes.size(), 3U) << backend.describe();
    for (unsigned k = 0; k < 3; ++k) {
        const model::GpuProcess* process = find(sample, 0, 4101 + k);
        ASSERT_NE(process, nullptr) << "pid " << 4101 + k << " with " << backend.describe();
        EXPECT_EQ(process->memory_used_bytes, (k + 1) * kGiB);
        EXPECT_FALSE(process->gpu_instance_id) << "no MIG: no instance id";
    }
    EXPECT_FALSE(sample.devices[0].degraded) << ::testing::PrintToString(sample.devices[0].degraded_fields);
}

INSTANTIATE_TEST_SUITE_P(Profiles, DriverProfile, ::testing::Values("modern", "r535_54", "r535_98", "r450"));

TEST(DriverProfiles, TheChosenCallAndStrideFollowTheDriver) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", {gpu("GPU-a")}}});
    EXPECT_EQ(NvmlBackend(fake_nvml_path("r535_54")).describe(),
              "NVIDIA driver 535.54.03; processes via nvmlDevice*RunningProcesses_v3, 32-byte entries");
    EXPECT_EQ(NvmlBackend(fake_nvml_path("modern")).describe(),
              "NVIDIA driver 550.54.15; processes via nvmlDevice*RunningProcesses_v3, 24-byte entries");
    EXPECT_EQ(NvmlBackend(fake_nvml_path("r535_98")).describe(),
              "NVIDIA driver 535.98; processes via nvmlDevice*RunningProcesses_v2, 24-byte entries");
    EXPECT_EQ(NvmlBackend(fake_nvml_path("r450")).describe(),
              "NVIDIA driver 450.80.02; processes via nvmlDevice*RunningProcesses, 16-byte entries");
}

TEST(DriverProfiles, A535_104DriverVersionMeansTwentyFourByteV3EvenWithCcSymbols) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-a");
    device["processes"] = three_processes();
    // The r535_54 library writes 32 bytes; told it is 535.104.05 the monitor must read 24 and then find junk,
    // which it must drop rather than report: this is the check that the version, not a guess, decides.
    scenario.write({{"gpus", {device}}, {"driver_version", "535.104.05"}});
    NvmlBackend backend(fake_nvml_path("r535_54"));
    EXPECT_NE(backend.describe().find("24-byte"), std::string::npos) << backend.describe();
    GpuSample sample = backend.sample();
    for (const model::GpuProcess& process : sample.processes) {
        EXPECT_NE(process.pid, 0U);
        EXPECT_NE(process.pid, 0xFFFFFFFFU);
    }
}

TEST(ErrorClasses, APerFieldRefusalLeavesTheFieldOutAndTheGpuIn) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-e");
    device["sm_clock"] = 1980;
    device["errors"] = {{"nvmlDeviceGetPowerUsage", 4},            // NO_PERMISSION
                        {"nvmlDeviceGetEnforcedPowerLimit", 999},  // UNKNOWN on a field
                        {"nvmlDeviceGetClockInfo", 27},            // NOT_READY
                        {"nvmlDeviceGetUtilizationRates", 3}};     // NOT_SUPPORTED
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    const model::GpuDevice& g = sample.devices[0];
    EXPECT_FALSE(g.lost);
    EXPECT_TRUE(g.degraded);
    EXPECT_FALSE(g.power_draw_milliwatts);
    EXPECT_FALSE(g.power_limit_milliwatts);
    EXPECT_FALSE(g.sm_clock_mhz);
    EXPECT_FALSE(g.utilization_percent);
    EXPECT_EQ(g.temperature_celsius, 40U) << "the other fields are still read";
    EXPECT_EQ(g.memory_total_bytes, 80 * kGiB);
    EXPECT_TRUE(has_field(g, "power: NO_PERMISSION"));
    EXPECT_TRUE(has_field(g, "power_limit: UNKNOWN"));
    EXPECT_TRUE(has_field(g, "sm_clock: NOT_READY"));
    EXPECT_TRUE(has_field(g, "utilization: NOT_SUPPORTED"));
}

TEST(ErrorClasses, GpuIsLostOnAnyCallOrUnknownOnTheDeviceAsAWholeIsLost) {
    FakeNvmlScenario scenario;
    json field_lost = gpu("GPU-1");
    field_lost["errors"] = {{"nvmlDeviceGetTemperature", 15}};
    json name_unknown = gpu("GPU-2");
    name_unknown["errors"] = {{"nvmlDeviceGetName", 999}};
    json handle_unknown = gpu("GPU-3");
    handle_unknown["handle_error"] = 999;
    json handle_denied = gpu("GPU-4");
    handle_denied["handle_error"] = 4;
    scenario.write({{"gpus", {gpu("GPU-0"), field_lost, name_unknown, handle_unknown, handle_denied}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    ASSERT_EQ(sample.devices.size(), 5U);
    EXPECT_FALSE(sample.devices[0].lost);
    EXPECT_TRUE(sample.devices[1].lost);
    EXPECT_TRUE(sample.devices[2].lost);
    EXPECT_TRUE(sample.devices[3].lost);
    EXPECT_FALSE(sample.devices[4].lost) << "NO_PERMISSION on the handle is not a lost GPU";
    EXPECT_TRUE(has_field(sample.devices[4], "handle: NO_PERMISSION"));
}

TEST(ErrorClasses, DeprecatedTemperatureFallsBackToTheVersionedCall) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-t");
    device["errors"] = {{"nvmlDeviceGetTemperature", 26}};
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_EQ(sample.devices[0].temperature_celsius, 40U);
    EXPECT_FALSE(sample.devices[0].degraded) << ::testing::PrintToString(sample.devices[0].degraded_fields);

    device["errors"] = {{"nvmlDeviceGetTemperature", 26}, {"nvmlDeviceGetTemperatureV", 27}};
    scenario.write({{"gpus", {device}}});
    sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_FALSE(sample.devices[0].temperature_celsius);
    EXPECT_TRUE(has_field(sample.devices[0], "temperature: NOT_READY"));
}

TEST(ErrorClasses, MemoryVersionMismatchFallsBackToV1) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-m");
    device["memory_reserved"] = 512 * kMiB;
    device["errors"] = {{"nvmlDeviceGetMemoryInfo_v2", 25}};
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    const model::GpuDevice& g = sample.devices[0];
    EXPECT_EQ(g.memory_total_bytes, 80 * kGiB);
    EXPECT_EQ(g.memory_used_bytes, 6 * kGiB + 512 * kMiB) << "v1 counts the reservation as used";
    EXPECT_FALSE(g.memory_reserved_bytes);
    EXPECT_FALSE(g.degraded);
}

TEST(ReservedMemory, FreeIsTotalMinusUsedMinusReserved) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-r");
    device["memory_reserved"] = 512 * kMiB;
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    const model::GpuDevice& g = sample.devices[0];
    EXPECT_EQ(g.memory_used_bytes, 6 * kGiB);
    EXPECT_EQ(g.memory_reserved_bytes, 512 * kMiB);
    EXPECT_EQ(g.memory_free_bytes, 80 * kGiB - 6 * kGiB - 512 * kMiB);
}

// The board's maximum clocks are asked until the driver answers once, then kept for the device.
TEST(Clocks, MaximaAreAskedUntilAnsweredThenKept) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-m");
    device["sm_clock_max"] = 1980;
    device["mem_clock_max"] = 2619;
    device["errors"] = {{"nvmlDeviceGetMaxClockInfo", 27}};  // NOT_READY
    scenario.write({{"gpus", {device}}});
    NvmlBackend backend(fake_nvml_path());
    GpuSample first = backend.sample();
    EXPECT_FALSE(first.devices[0].sm_clock_max_mhz);
    EXPECT_TRUE(has_field(first.devices[0], "sm_clock_max: NOT_READY"));

    device.erase("errors");
    scenario.write({{"gpus", {device}}});
    GpuSample second = backend.sample();
    EXPECT_EQ(second.devices[0].sm_clock_max_mhz, 1980U);
    EXPECT_EQ(second.devices[0].memory_clock_max_mhz, 2619U);

    // Only the stand-in can change a board's maxima; the monitor does not ask again.
    device["sm_clock_max"] = 2100;
    device["errors"] = {{"nvmlDeviceGetMaxClockInfo", 27}};
    scenario.write({{"gpus", {device}}});
    GpuSample third = backend.sample();
    EXPECT_EQ(third.devices[0].sm_clock_max_mhz, 1980U);
    EXPECT_FALSE(third.devices[0].degraded) << ::testing::PrintToString(third.devices[0].degraded_fields);
}

TEST(Clocks, SmAndMemoryClocksAndTheirMaxima) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-c");
    device["sm_clock"] = 1755;
    device["sm_clock_max"] = 1980;
    device["mem_clock"] = 2619;
    device["mem_clock_max"] = 2619;
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_EQ(sample.devices[0].sm_clock_mhz, 1755U);
    EXPECT_EQ(sample.devices[0].sm_clock_max_mhz, 1980U);
    EXPECT_EQ(sample.devices[0].memory_clock_mhz, 2619U);
    EXPECT_EQ(sample.devices[0].memory_clock_max_mhz, 2619U);
    EXPECT_EQ(sample.devices[0].driver_version, "550.54.15");
}

TEST(Mps, MpsClientsAreListedAndMarked) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-mps");
    device["processes"] = {{{"pid", 300}, {"used_memory", 30 * kMiB}},  // the MPS server, a compute context
                           {{"pid", 301}, {"used_memory", 1 * kGiB}, {"type", "mps"}},
                           {{"pid", 302}, {"used_memory", 2 * kGiB}, {"type", "mps"}}};
    scenario.write({{"gpus", {device}}});
    for (const char* profile : {"modern", "r535_54"}) {
        GpuSample sample = NvmlBackend(fake_nvml_path(profile)).sample();
        ASSERT_EQ(sample.processes.size(), 3U) << profile;
        EXPECT_FALSE(find(sample, 0, 300)->mps);
        EXPECT_TRUE(find(sample, 0, 301)->mps) << profile;
        EXPECT_EQ(find(sample, 0, 302)->memory_used_bytes, 2 * kGiB) << profile;
    }
}

TEST(SmSampling, NotFoundKeepsTheLastValueThenStaleSamplesAreIgnored) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-s");
    device["processes"] = {{{"pid", 11}, {"used_memory", kGiB}, {"samples", {{{"t", 5000}, {"sm", 70}}}}}};
    scenario.write({{"gpus", {device}}});
    NvmlBackend backend(fake_nvml_path());
    GpuSample sample = backend.sample();
    EXPECT_EQ(find(sample, 0, 11)->sm_percent, 70U);
    EXPECT_TRUE(find(sample, 0, 11)->sm_percent_fresh);

    sample = backend.sample();  // nothing newer than 5000: NOT_FOUND on a busy device
    EXPECT_EQ(find(sample, 0, 11)->sm_percent, 70U) << "held, not dropped to 0";
    EXPECT_FALSE(find(sample, 0, 11)->sm_percent_fresh);

    device["processes"][0]["samples"] = {{{"t", 4000}, {"sm", 5}}};  // older than the last seen: ignored
    scenario.write({{"gpus", {device}}});
    sample = backend.sample();
    EXPECT_EQ(find(sample, 0, 11)->sm_percent, 70U);

    device["processes"][0]["samples"] = {{{"t", 6000}, {"sm", 150}}};
    scenario.write({{"gpus", {device}}});
    sample = backend.sample();
    EXPECT_EQ(find(sample, 0, 11)->sm_percent, 100U);
    EXPECT_TRUE(has_field(sample.devices[0], "clamped to 100"));
}

TEST(SmSampling, AnIdleDeviceWithNoSamplesIsAFreshZero) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-i");
    device["util"] = 0;
    device["processes"] = {{{"pid", 12}, {"used_memory", kGiB}}};
    scenario.write({{"gpus", {device}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_EQ(find(sample, 0, 12)->sm_percent, 0U);
    EXPECT_TRUE(find(sample, 0, 12)->sm_percent_fresh);
}

TEST(HiddenProcesses, MemoryInUseWithNoProcessListedIsFlagged) {
    FakeNvmlScenario scenario;
    json hidden = gpu("GPU-h");  // 6 GiB used, no process
    json empty = gpu("GPU-empty");
    empty["memory_used"] = 2 * kMiB;
    scenario.write({{"gpus", {hidden, empty}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_TRUE(sample.devices[0].processes_hidden);
    EXPECT_EQ(sample.devices[0].unattributed_memory_bytes, 6 * kGiB);
    EXPECT_FALSE(sample.devices[1].processes_hidden);
}

TEST(UnattributedMemory, IsUsedMinusWhatTheListedProcessesHold) {
    FakeNvmlScenario scenario;
    json device = gpu("GPU-u");
    device["memory_reserved"] = 512 * kMiB;
    device["processes"] = {{{"pid", 21}, {"used_memory", 1 * kGiB}}, {{"pid", 22}, {"used_memory", 2 * kGiB}}};
    json unknown = gpu("GPU-unknown");
    unknown["processes"] = {{{"pid", 23}}};  // no memory figure: no difference can be given
    scenario.write({{"gpus", {device, unknown}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    EXPECT_EQ(sample.devices[0].unattributed_memory_bytes, 3 * kGiB);
    EXPECT_FALSE(sample.devices[0].processes_hidden);
    EXPECT_FALSE(sample.devices[1].unattributed_memory_bytes);
}

json mig_gpu() {
    json device = gpu("GPU-parent");
    device["mig"] = true;
    device["errors"] = {{"nvmlDeviceGetComputeRunningProcesses", 4}};  // NO_PERMISSION on the parent's list
    device["mig_devices"] = {
        {{"uuid", "MIG-aaaa"},
         {"name", "NVIDIA H100 80GB HBM3 MIG 1g.10gb"},
         {"gpu_instance_id", 9},
         {"compute_instance_id", 0},
         {"memory_total", 10 * kGiB},
         {"memory_used", 3 * kGiB},
         {"gpm_sm_util", 37},
         {"processes", {{{"pid", 501}, {"used_memory", 3 * kGiB}}}}},
        {{"uuid", "MIG-bbbb"},
         {"name", "NVIDIA H100 80GB HBM3 MIG 3g.40gb"},
         {"gpu_instance_id", 2},
         {"compute_instance_id", 0},
         {"memory_total", 40 * kGiB},
         {"memory_used", 1 * kGiB},
         {"processes", {{{"pid", 502}, {"used_memory", 1 * kGiB}}, {{"pid", 503}, {"used_memory", kMiB}}}}}};
    return device;
}

TEST(Mig, SlicesAndTheirProcessesAreListedUnderTheirGpu) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", {mig_gpu()}}});
    GpuSample sample = NvmlBackend(fake_nvml_path()).sample();
    const model::GpuDevice& g = sample.devices[0];
    ASSERT_EQ(g.mig_enabled, true);
    ASSERT_EQ(g.mig_devices.size(), 2U);
    EXPECT_EQ(g.mig_devices[0].uuid, "MIG-aaaa");
    EXPECT_EQ(g.mig_devices[0].profile, "1g.10gb");
    EXPECT_EQ(g.mig_devices[0].gpu_instance_id, 9U);
    EXPECT_EQ(g.mig_devices[0].memory_total_bytes, 10 * kGiB);
    EXPECT_EQ(g.mig_devices[0].memory_used_bytes, 3 * kGiB);
    EXPECT_EQ(g.mig_devices[1].profile, "3g.40gb");
    EXPECT_FALSE(g.mig_devices[1].utilization_percent) << "no GPM: no utilization for a slice";
    EXPECT_TRUE(has_field(g, "processes: NO_PERMISSION")) << "a per-field note, not an empty list";
    ASSERT_EQ(sample.processes.size(), 3U);
    EXPECT_EQ(find(sample, 0, 501)->gpu_instance_id, 9U);
    EXPECT_EQ(find(sample, 0, 501)->compute_instance_id, 0U);
    EXPECT_EQ(find(sample, 0, 503)->gpu_instance_id, 2U);
    EXPECT_FALSE(find(sample, 0, 501)->sm_percent) << "no per-process SM % on MIG";
    EXPECT_EQ(g.unattributed_memory_bytes, 6 * kGiB - (4 * kGiB + kMiB));
}

TEST(Mig, GpmGivesASlicesUtilizationFromSamplesAtLeast100MsApart) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", {mig_gpu()}}});
    NvmlBackend backend(fake_nvml_path());
    EXPECT_FALSE(backend.sample().devices[0].mig_devices[0].utilization_percent) << "one sample is not a rate";
    // Samples closer than 100 ms are not compared; wait for the first that is, with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::optional<unsigned> utilization;
    while (!utilization && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        utilization = backend.sample().devices[0].mig_devices[0].utilization_percent;
    }
    EXPECT_EQ(utilization, 37U);
}

}  // namespace
}  // namespace cmon::sources
