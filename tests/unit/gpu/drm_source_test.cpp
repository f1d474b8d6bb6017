// DrmSource next to NVML's source: its GPUs are appended after the indices already in the draft, processes
// follow their GPU's new index, the numbering never moves down when NVML misses a tick, and the backend's
// note becomes the health note.
#include "sources/gpu/drm/drm_source.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cmon::sources
