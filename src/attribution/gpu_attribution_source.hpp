// The "attribution" collection unit. Runs after the docker and gpu sources in the same tick: attributes the
// draft's GPU processes to containers, marks idle GPU holders and gives every container its owner. Never
// throws for a single process.
#pragma once

#include "attribution/gpu_attributor.hpp"
#include "attribution/idle_tracker.hpp"
#include "attribution/owner_resolver.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"

namespace cmon::attribution {

class GpuAttributionSource final : public sources::Source {
public:
    // `clock` (for idle_since) must outlive the source. `fallback` may be empty (no Docker top fallback).
    GpuAttributionSource(sources::HostPaths paths, IdleTrackerOptions idle, ContainerPidLister fallback,
                         const util::Clock& clock, GpuAttributorOptions options = {}, OwnerRule owners = {});

    std::string_view name() const override { return "attribution"; }
    void collect(model::Snapshot& draft) override;
    std::string health_note() const override { return attributor_.note(); }

private:
    GpuAttributor attributor_;
    IdleTracker idle_;
    OwnerResolver owners_;
    const util::Clock& clock_;
};

}  // namespace cmon::attribution
