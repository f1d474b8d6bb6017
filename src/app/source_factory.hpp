// Builds the collection units from the config, in the order the sampler must run them.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "sampling/gpu_accountant.hpp"
#include "sampling/sampler.hpp"
#include "sources/host_paths.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"

namespace cmon::app {

sources::HostPaths host_paths(const Config& config);
sampling::SamplerOptions sampler_options(const Config& config);
// Retention = the history window; intervals much longer than --interval are pauses, not counted.
sampling::GpuAccountantOptions accountant_options(const Config& config);
// `clock` must outlive the sources.
std::vector<std::unique_ptr<sources::Source>> make_sources(const Config& config, const util::Clock& clock);

}  // namespace cmon::app
