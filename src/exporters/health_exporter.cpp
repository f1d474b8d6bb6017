#include "exporters/health_exporter.hpp"

namespace cmon::exporters {
std::string to_health_json(const model::Snapshot*, bool) { return "{}"; }
bool healthy(const model::Snapshot* snapshot) { return snapshot != nullptr; }
}  // namespace cmon::exporters
