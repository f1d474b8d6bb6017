// GpuAttributionStage: attributor then idle tracker, on the sampler's collection thread.
#include "attribution/gpu_attribution_stage.hpp"

#include <utility>

namespace cmon::attribution {

GpuAttributionStage::GpuAttributionStage(sources::HostPaths paths, IdleTrackerOptions idle, ContainerPidLister fallback,
                                         const util::Clock& clock, GpuAttributorOptions options)
    : attributor_(std::move(paths), std::move(fallback), options), idle_(idle), clock_(clock) {}

void GpuAttributionStage::run(model::Snapshot& draft) {
    attributor_.attribute(draft);
    idle_.update(draft.gpu_processes, clock_.system_now());
}

}  // namespace cmon::attribution
