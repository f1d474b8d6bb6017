// Builds the collection units from the config: the sources, and the stages that run on what they collected.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "app/fd_limit.hpp"
#include "attribution/stage.hpp"
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
// `clock` must outlive the sources. The docker source keeps at most budget.container_files descriptors open.
std::vector<std::unique_ptr<sources::Source>> make_sources(const Config& config, const util::Clock& clock,
                                                          const DescriptorBudget& budget);
// GPU attribution (and idle GPU holders); `clock` must outlive the stages.
std::vector<std::unique_ptr<attribution::Stage>> make_stages(const Config& config, const util::Clock& clock);

}  // namespace cmon::app
