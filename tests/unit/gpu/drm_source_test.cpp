// DrmSource next to NVML's source: its GPUs are appended after the indices already in the draft, processes
// follow their GPU's new index, the numbering never moves down when NVML misses a tick, and the backend's
// note becomes the health note.
#include "sources/gpu/drm/drm_source.hpp"

#include <gtest/gtest.h>
#include <map>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_nvml_scenario.hpp"
#include "sources/gpu/drm/drm_backend.hpp"
#include "sources/gpu/gpu_source.hpp"

namespace cmon::sources {
namespace {

class ScriptedBackend final : public GpuBackend {
public:
    std::string_view name() const override { return "scripted"; }
    GpuSample sample() override {
        GpuSample out;
        model::GpuDevice gpu;
        gpu.index = 0;
        gpu.vendor = "amd";
        out.devices.push_back(gpu);
        model::GpuProcess process;
        process.pid = 42;
        process.gpu_index = 0;
        out.processes.push_back(process);
        out.note = note;
        return out;
    }
    std::string note;
};

model::Snapshot draft_with_nvidia(unsigned count) {
    model::Snapshot draft;
    for (unsigned i = 0; i < count; ++i) {
        model::GpuDevice gpu;
        gpu.index = i;
        draft.gpus.push_back(gpu);
    }
    return draft;
}

TEST(DrmSource, AppendsAfterNvidiaIndices) {
    auto backend = std::make_unique<ScriptedBackend>();
    ScriptedBackend* scripted = backend.get();
    scripted->note = "fdinfo refused";
    DrmSource source(std::move(backend));
    EXPECT_EQ(source.name(), "gpu-drm");

    model::Snapshot draft = draft_with_nvidia(2);
    source.collect(draft);
    ASSERT_EQ(draft.gpus.size(), 3U);
    EXPECT_EQ(draft.gpus[2].index, 2U);
    EXPECT_EQ(draft.gpus[2].vendor, "amd");
    ASSERT_EQ(draft.gpu_processes.size(), 1U);
    EXPECT_EQ(draft.gpu_processes[0].gpu_index, 2U);
    EXPECT_EQ(source.health_note(), "fdinfo refused");

    // NVML missed this tick (no NVIDIA GPUs in the draft): the AMD GPU keeps index 2.
    model::Snapshot without = draft_with_nvidia(0);
    scripted->note.clear();
    source.collect(without);
    ASSERT_EQ(without.gpus.size(), 1U);
    EXPECT_EQ(without.gpus[0].index, 2U);
    EXPECT_EQ(without.gpu_processes[0].gpu_index, 2U);
    EXPECT_TRUE(source.health_note().empty());
}

TEST(DrmSource, AloneItCountsFromZero) {
    DrmSource source(std::make_unique<ScriptedBackend>());
    model::Snapshot draft;
    source.collect(draft);
    ASSERT_EQ(draft.gpus.size(), 1U);
    EXPECT_EQ(draft.gpus[0].index, 0U);
}

// A mixed host, both real backends in one tick: the stand-in NVML with one GPU, then the DRM backend on
// the amdgpu fixture tree. One draft holds both vendors with unique indices and their processes.
TEST(DrmSource, MixedHostWithNvmlStandInAndAmdFixture) {
    testing::FakeNvmlScenario scenario;
    scenario.write({{"gpus",
                     {{{"name", "Stand-in A100"},
                       {"uuid", "GPU-0"},
                       {"util", 64},
                       {"processes", {{{"pid", 77}, {"used_memory", 2048}, {"sm_util", 3}}}}}}}});
    testing::FakeClock clock;
    GpuSource nvml(GpuSourceOptions{testing::fake_nvml_path()}, clock);
    HostPaths paths;
    paths.proc = std::filesystem::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "proc";
    paths.sys = std::filesystem::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "sys";
    DrmSource drm(std::make_unique<DrmBackend>(paths, clock));

    model::Snapshot draft;
    nvml.collect(draft);
    drm.collect(draft);
    ASSERT_EQ(draft.gpus.size(), 2U);
    EXPECT_EQ(draft.gpus[0].index, 0U);
    EXPECT_EQ(draft.gpus[0].vendor, "nvidia");
    EXPECT_EQ(draft.gpus[1].index, 1U);
    EXPECT_EQ(draft.gpus[1].vendor, "amd");
    EXPECT_EQ(draft.gpus[1].pci_bus_id, "0000:03:00.0");
    std::map<unsigned, unsigned> gpu_of;
    for (const auto& process : draft.gpu_processes) gpu_of[process.pid] = process.gpu_index;
    EXPECT_EQ(gpu_of, (std::map<unsigned, unsigned>{{77, 0}, {4101, 1}, {4103, 1}}));
    EXPECT_TRUE(drm.health_note().empty());
}

}  // namespace
}  // namespace cmon::sources
