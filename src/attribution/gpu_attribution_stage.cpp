// GpuAttributionStage: attributor then idle tracker, on the sampler's collection thread.
#include "attribution/gpu_attribution_stage.hpp"

#include <utility>

namespace cmon::attribution {

GpuAttributionStage::GpuAttributionStage(sources::HostPaths paths, IdleTrackerOptions idle, ContainerPidLister fallback,
                                         const util::Clock& clock, GpuAttributorOptions options, OwnerRule owners)
    : attributor_(std::move(paths), std::move(fallback), options),
      idle_(idle),
      owners_(std::move(owners)),
      clock_(clock) {}

void GpuAttributionStage::run(model::Snapshot& draft) {
    owners_.assign(draft);  // first: it cannot fail, and the rest may throw
    attributor_.attribute(draft);
    idle_.update(draft.gpu_processes, clock_.system_now());
}

}  // namespace cmon::attribution
