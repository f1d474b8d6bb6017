// The "attribution" stage: runs on the collected draft (after the docker and gpu sources, whatever their
// order): gives every container its owner, attributes the draft's GPU processes to containers and marks idle
// GPU holders. Never throws for a single process.
#pragma once

#include "attribution/gpu_attributor.hpp"
#include "attribution/idle_tracker.hpp"
#include "attribution/owner_resolver.hpp"
#include "attribution/stage.hpp"
#include "sources/host_paths.hpp"
#include "util/clock.hpp"

namespace cmon::attribution {

class GpuAttributionStage final : public Stage {
public:
    // `clock` (for idle_since) must outlive the stage. `fallback` may be empty (no Docker top fallback).
    GpuAttributionStage(sources::HostPaths paths, IdleTrackerOptions idle, ContainerPidLister fallback,
                        const util::Clock& clock, GpuAttributorOptions options = {}, OwnerRule owners = {});

    std::string_view name() const override { return "attribution"; }
    void run(model::Snapshot& draft) override;
    std::string health_note() const override { return attributor_.note(); }

private:
    GpuAttributor attributor_;
    IdleTracker idle_;
    OwnerResolver owners_;
    const util::Clock& clock_;
};

}  // namespace cmon::attribution
