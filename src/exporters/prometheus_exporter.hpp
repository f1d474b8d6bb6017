// `GET /metrics`: the snapshot in the Prometheus text exposition format 0.0.4. Container metrics carry
// cAdvisor's names and labels, GPU metrics dcgm-exporter's, everything else the `cmon_` prefix, so
// existing dashboards and alerts keep working. The metrics themselves are rows of metric_table.cpp.
// Pure: a function of one snapshot and the options.
#pragma once

#include <string>
#include <string_view>

#include "model/accounting.hpp"
#include "model/snapshot.hpp"

namespace cmon::exporters {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

struct PrometheusOptions {
    std::string version;         // cmon_build_info{version}
    std::string hostname_label;  // dcgm-exporter's "Hostname" label; the snapshot's hostname when empty
    bool paused = false;         // cmon_collection_paused
    // GPU accounting counters (cmon_container_gpu_*_seconds_total); null: those families are left out.
    const model::AccountingReport* accounting = nullptr;
};

std::string to_prometheus(const model::Snapshot& snapshot, const PrometheusOptions& options);

// The text format's rules, exposed for tests.
std::string escape_label_value(std::string_view value);  // \ " newline; invalid UTF-8 -> U+FFFD
std::string escape_help(std::string_view help);          // \ newline
std::string format_sample_value(double value);           // exact integers, NaN, +Inf, -Inf

}  // namespace cmon::exporters
