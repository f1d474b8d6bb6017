// Derives rates (CPU %, bytes per second) from two successive snapshots' counters. Pure: no I/O, no clock —
// the interval is the difference of the snapshots' monotonic times, so tests are exact.
#pragma once

#include "model/snapshot.hpp"

namespace cmon::sampling {

// Fills current's rate fields from previous. Counters that went backwards (a container restarted, a
// counter wrapped) give no rate rather than a huge or negative one. Containers are matched by full id.
void derive_rates(const model::Snapshot& previous, model::Snapshot& current);

}  // namespace cmon::sampling
