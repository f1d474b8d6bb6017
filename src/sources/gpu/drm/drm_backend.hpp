// AMD (amdgpu) and Intel (i915, xe) GPUs as a GpuBackend, from the kernel's own interfaces only: devices
// from <sys>/class/drm (DrmDeviceReader), clients from <proc>/<pid>/fd + fdinfo (DrmProcessReader), ROCm
// compute from <sys>/class/kfd (KfdReader). Never opens /dev/dri. Device indices count from 0 in PCI
// order; GpuSource-like callers offset them to stay unique next to other backends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sources/gpu/drm/drm_device_reader.hpp"
#include "sources/gpu/drm/drm_process_reader.hpp"
#include "sources/gpu/drm/engine_usage_tracker.hpp"
#include "sources/gpu/drm/kfd_reader.hpp"
#include "sources/gpu/gpu_backend.hpp"
#include "sources/host_paths.hpp"
#include "util/clock.hpp"

namespace cmon::sources {

class DrmBackend final : public GpuBackend {
public:
    // `clock` must outlive the backend (monotonic time for the engine and power rates).
    DrmBackend(const HostPaths& paths, const util::Clock& clock, DrmProcessReaderOptions options = {});

    std::string_view name() const override { return "drm"; }
    GpuSample sample() override;

    // Cards found by the last discovery (tests, the source's note).
    const std::vector<DrmCard>& cards() const { return cards_; }

private:
    void discover();

    HostPaths paths_;
    const util::Clock& clock_;
    const std::string no_cards_note_;  // every sample on a machine without them (NVIDIA-only servers)
    DrmDeviceReader devices_;
    DrmProcessReader processes_;
    KfdReader kfd_;
    EngineUsageTracker usage_;
    std::vector<DrmCard> cards_;
    std::vector<KfdNode> kfd_nodes_;
    unsigned samples_since_discovery_ = 0;
    bool discovered_ = false;
};

}  // namespace cmon::sources
