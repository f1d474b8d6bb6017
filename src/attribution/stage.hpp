// A step the sampler runs on the draft snapshot after every source has collected into it: what it reads
// (containers, GPU processes) is there whatever order the sources ran in. Its failures become its entry in
// the snapshot's source health, as a source's do.
#pragma once

#include <string>
#include <string_view>

#include "model/snapshot.hpp"

namespace cmon::attribution {

class Stage {
public:
    virtual ~Stage() = default;
    // Stable short name used in SourceHealth, /healthz and *_source_up ("attribution").
    virtual std::string_view name() const = 0;
    // Adds to the collected draft. May throw util::Error; what it filled before is kept.
    virtual void run(model::Snapshot& draft) = 0;
    // After a successful run: a line for SourceHealth::note, or empty.
    virtual std::string health_note() const { return {}; }
};

}  // namespace cmon::attribution
