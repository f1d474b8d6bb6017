// `container-monitor report`: a UsageReport as an aligned table (GPU-hours), CSV (GPU-hours, RFC 4180
// quoting) or JSON (GPU-seconds, as the counters count). Pure: no I/O.
#pragma once

#include <string>

#include "model/usage_report.hpp"

namespace cmon::exporters {

std::string to_report_table(const model::UsageReport& report);
std::string to_report_csv(const model::UsageReport& report);
std::string to_report_json(const model::UsageReport& report);

}  // namespace cmon::exporters
