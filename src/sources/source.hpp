// One collection unit. The sampler calls collect() once per tick on its own thread, catches whatever it
// throws (util::Error with a sysadmin-readable message) and records it in the snapshot's source health,
// so one broken source never stops the others.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::sources {

class Source {
public:
    virtual ~Source() = default;
    // Stable short name used in SourceHealth, /healthz and *_source_up ("host", "docker", "gpu").
    virtual std::string_view name() const = 0;
    // Fills this source's part of the draft snapshot. Counters only: rates are derived by the sampler.
    // A source may fill part of the draft and then throw: what it filled is kept, the error is its health.
    virtual void collect(model::Snapshot& draft) = 0;
    // After a successful collect: a line for SourceHealth::note ("pids from docker top ..."), or empty.
    virtual std::string health_note() const { return {}; }
    // After a successful collect: what is missing though the source worked (SourceHealth::degraded).
    virtual std::vector<std::string> health_warnings() const { return {}; }
    // Collection pauses (nobody is looking): let go of what blocks others (the GPU driver's handles).
    virtual void pause() {}
};

}  // namespace cmon::sources
