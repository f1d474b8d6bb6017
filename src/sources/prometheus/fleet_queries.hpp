// The PromQL the lab view asks, in one place. Pure: strings only. Every query is bounded to the monitors'
// job (a label selector, `job="container-monitor"` by default) so other exporters on the same
// Prometheus cost nothing, and asks only for the metric names the fleet reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

// The instant gauges the fleet reads, by name (one query: {__name__=~"a|b|..."}).
const std::vector<std::string>& fleet_gauge_names();

// The accounting counters of issue 15 and the key their window sums go under.
struct AccountingCounter {
    std::string_view metric;  // cmon_container_gpu_held_seconds_total
    std::string_view kind;    // held, busy, idle_held
    // The shipped recording rule (deploy/prometheus/container-monitor.rules.yml) with the same counter's
    // GPU-hours per (job, instance, owner) over the day before each evaluation.
    std::string_view recorded_hours_per_day;
};
const std::vector<AccountingCounter>& accounting_counters();

struct UsageWindow {
    std::string name;       // "today", "week", "month", or the report's "window"
    long long seconds = 0;  // the increase() range, whole seconds (at least 60)
};

struct FleetQueries {
    std::string up;         // up per monitor
    std::string last_data;  // per monitor: the newest time a scrape worked, within the look-back
    std::string names;      // per monitor: its Hostname label (host_names_query over the last hour)
    std::string gauges;     // every gauge the page shows, in one instant vector
    std::string usage;      // GPU-seconds per owner x window x kind
};

// selector: label matchers without braces, e.g. `job="container-monitor"`. lookback_seconds bounds how
// far back a down monitor's last data is searched.
FleetQueries make_fleet_queries(std::string_view selector, const std::vector<UsageWindow>& windows,
                                long long lookback_seconds);

// sum by (<by>) (increase(<counter>{<selector>}[<window>])) for every counter and window, each tagged with
// labels window="<name>" and kind="<kind>", joined with `or` into one query.
std::string usage_query(std::string_view selector, std::string_view by, const std::vector<UsageWindow>& windows);

// What increase() leaves out for a monitor whose counting began inside the window [at - window, at]
// (cmon_accounting_start_time_seconds, the earliest seen in the window, at or after its start): the
// counters' first sample in the window (min_over_time: a counter only grows between resets), all of it
// counted inside the window. sum by (<by>) per counter, tagged kind="<kind>", joined with `or`.
std::string counted_before_first_sample_query(std::string_view selector, std::string_view by, long long window_seconds,
                                              double at_unix);

// The recorded GPU-hours of whole days: for each day_ends[k] (unix seconds, a local midnight), the shipped
// rule's value at that instant (`@`), i.e. the counter's increase over the day before it, summed by (<by>)
// and tagged day="<k>", kind="<kind>"; joined with `or`. Evaluating it touches one sample per recorded
// series and day, however many raw samples those days hold.
std::string recorded_days_query(std::string_view selector, std::string_view by, const std::vector<double>& day_ends);

// Per monitor (job, instance) its Hostname label over the range: from cmon_host_info (every monitor that
// exports it, GPUs or not), else from the GPU series (dcgm-exporter's Hostname, older monitors).
std::string host_names_query(std::string_view selector, long long range_seconds);

// `job="container-monitor"` from a job name, with PromQL string escaping.
std::string job_selector(std::string_view job);

}  // namespace cmon::sources
