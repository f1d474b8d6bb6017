// `container-monitor snapshot`: two samples one interval apart (so rates are real), printed once.
#pragma once

#include "app/config.hpp"

namespace cmon::app {

// Prints the snapshot to stdout and failed sources to stderr. Returns 0, or 3 with --strict when any
// source failed.
int run_snapshot(const Config& config);

}  // namespace cmon::app
