// FleetSource: one refresh of the lab view. Asks Prometheus the fleet's queries (fleet_queries.hpp) in
// parallel, each bounded by the client's timeout and a cap on the series it may return, and assembles a
// FleetSnapshot. When Prometheus is down, slow or refuses, the answer is the last good fleet with `error`
// set (the page's banner), never an empty fleet. Host names seen once are kept, so a server that goes
// down keeps its name. Thread-compatible: one refresh at a time.
#pragma once

#include <cstddef>
#include <future>
#include <memory>
#include <string>

#include "model/fleet_snapshot.hpp"
#include "model/usage_report.hpp"
#include "sources/prometheus/fleet_assembler.hpp"
#include "sources/prometheus/fleet_queries.hpp"
#include "sources/prometheus/prometheus_client.hpp"
#include "util/defaults.hpp"

namespace cmon::sources {

struct FleetSourceOptions {
    std::string selector = job_selector(defaults::kPrometheusJob);  // label matchers selecting the monitors
    std::size_t max_series = defaults::kPrometheusMaxSeries;  // per query; more is an error, not a slow page
    long long lookback_seconds = 86400;  // how far back a down monitor's last data is sought
    double usage_every_seconds = 60;  // GPU-hours (history queries) at most this often, apart from the live view
    FleetAssemblyOptions assembly;
};

class FleetSource {
public:
    FleetSource(std::shared_ptr<PrometheusClient> client, FleetSourceOptions options);

    // Queries at now_unix ("today" starts at local midnight before it). Never throws for Prometheus'
    // failures: they become FleetSnapshot::error on the last good answer.
    model::FleetSnapshot refresh(double now_unix);

    // GPU-seconds over [now - window, now] grouped by "owner", "container" or "server". Throws util::Error
    // when Prometheus fails (the report has nothing to show without it).
    model::UsageReport report(const std::string& by, long long window_seconds, double now_unix);

    // The owners' GPU-hours as the fleet computes them (usage_unix, usage_source, the queries' timings):
    // today from increase() since local midnight; the whole days of the week and month from the shipped
    // recording rules (one sample per recorded series and day) when they cover every day of the window,
    // else from increase() over the window. Samples carry owner, window ("today", "week", "month"), kind.
    struct Usage {
        std::vector<PromSample> samples;
        std::optional<std::string> error;
        std::vector<std::string> warnings;
        std::vector<model::FleetQueryTiming> queries;
        double at_unix = 0;
        std::string source;
    };
    static Usage usage(PrometheusClient& client, const std::string& selector, std::size_t max_series, double now_unix);

private:
    std::shared_ptr<PrometheusClient> client_;
    FleetSourceOptions options_;
    std::optional<model::FleetSnapshot> last_good_;
    std::future<Usage> usage_pending_;  // the GPU-hours being computed, launched by a refresh
    std::optional<Usage> usage_;        // the newest that worked
    std::optional<double> usage_launched_unix_;
};

// Seconds from local midnight to now_unix (at least 60, as increase() needs a range).
long long seconds_since_local_midnight(double now_unix);

}  // namespace cmon::sources
