// The legacy `GET /query` JSON (docs/api.md, "GET /query (legacy)"), byte-compatible in key names, nesting
// and value types. Pure: a function of one snapshot.
#pragma once

#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

std::string to_query_json(const model::Snapshot& snapshot);

}  // namespace cmon::exporters
