#include "exporters/query_exporter.hpp"

namespace cmon::exporters {
std::string to_query_json(const model::Snapshot&) { return "{}"; }
}  // namespace cmon::exporters
