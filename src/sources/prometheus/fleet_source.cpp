// One fleet refresh: the queries in parallel (one connection each), then the pure assembly.
#include "sources/prometheus/fleet_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <future>
#include <map>
#include <tuple>

#include "sources/prometheus/fleet_queries.hpp"
#include "util/error.hpp"

namespace cmon::sources {

namespace {

struct Answer {
    std::vector<PromSample> samples;
    std::optional<std::string> error;
    std::vector<std::string> warnings;
};

Answer ask(PrometheusClient& client, const std::string& what, const std::string& promql, double at,
           std::size_t max_series) {
    Answer answer;
    try {
        PromResponse response = client.query(promql, at);
        answer.warnings = std::move(response.warnings);
        if (!response.success) {
            answer.error = "prometheus: " + what + ": " + response.error_type + ": " + response.error;
        } else if (response.vector.size() > max_series) {
            answer.error = "prometheus: " + what + ": " + std::to_string(response.vector.size()) +
                           " series, over the cap of " + std::to_string(max_series) +
                           " (--prometheus-max-series); narrow --prometheus-job";
        } else {
            answer.samples = std::move(response.vector);
        }
    } catch (const util::Error& e) {
        answer.error = e.what();
    }
    return answer;
}

}  // namespace

long long seconds_since_local_midnight(double now_unix) {
    const std::time_t now = static_cast<std::time_t>(now_unix);
    std::tm local{};
    localtime_r(&now, &local);
    const long long seconds = local.tm_hour * 3600LL + local.tm_min * 60LL + local.tm_sec;
    return std::max(60LL, seconds);
}

FleetSource::FleetSource(std::shared_ptr<PrometheusClient> client, FleetSourceOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

model::FleetSnapshot FleetSource::refresh(double now_unix) {
    const auto started = std::chrono::steady_clock::now();
    const std::vector<UsageWindow> windows = {
        {"today", seconds_since_local_midnight(now_unix)}, {"week", 7 * 86400LL}, {"month", 30 * 86400LL}};
    const FleetQueries q = make_fleet_queries(options_.selector, windows, options_.lookback_seconds);
    auto launch = [&](const char* what, const std::string& promql) {
        return std::async(std::launch::async, ask, std::ref(*client_), std::string(what), promql, now_unix,
                          options_.max_series);
    };
    auto up = launch("up", q.up);
    auto gauges = launch("gauges", q.gauges);
    auto last_data = launch("last data", q.last_data);
    auto names = launch("host names", q.names);
    auto usage = launch("GPU-hours", q.usage);
    Answer answers[] = {up.get(), gauges.get(), last_data.get(), names.get(), usage.get()};
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    std::vector<std::string> warnings;
    for (auto& a : answers) {
        for (auto& w : a.warnings) warnings.push_back("prometheus: " + w);
    }
    const std::optional<std::string> fatal = answers[0].error ? answers[0].error : answers[1].error;
    if (fatal) {
        model::FleetSnapshot fleet = last_good_.value_or(model::FleetSnapshot{});
        fleet.error = fatal;
        fleet.generated_unix = now_unix;
        fleet.prometheus = client_->endpoint().display;
        fleet.query_milliseconds = elapsed_ms;
        fleet.warnings = std::move(warnings);
        return fleet;
    }
    for (int i = 2; i < 5; ++i) {
        if (answers[i].error) warnings.push_back(*answers[i].error);
    }
    FleetAnswers input;
    input.at_unix = now_unix;
    input.up = std::move(answers[0].samples);
    input.gauges = std::move(answers[1].samples);
    input.last_data = std::move(answers[2].samples);
    input.names = std::move(answers[3].samples);
    input.usage = std::move(answers[4].samples);
    input.usage_answered = !answers[4].error;
    model::FleetSnapshot fleet = assemble_fleet(input, options_.assembly);
    for (const auto& server : fleet.servers) {
        if (server.name != server.instance) options_.assembly.known_names[{server.job, server.instance}] = server.name;
    }
    fleet.generated_unix = now_unix;
    fleet.prometheus = client_->endpoint().display;
    fleet.query_milliseconds = elapsed_ms;
    fleet.warnings = std::move(warnings);
    last_good_ = fleet;
    return fleet;
}

model::UsageReport FleetSource::report(const std::string& by, long long window_seconds, double now_unix) {
    const std::string group = by == "owner" ? "owner" : by == "container" ? "job, instance, name, owner" : "job, instance";
    const std::vector<UsageWindow> windows = {{"window", window_seconds}};
    auto usage = std::async(std::launch::async, ask, std::ref(*client_), std::string("GPU-hours"),
                            usage_query(options_.selector, group, windows), now_unix, options_.max_series);
    // Host names of the servers over the window (a server may be gone by now).
    const std::string names_query = "group by (job, instance, Hostname) (last_over_time(DCGM_FI_DEV_FB_USED{" +
                                    options_.selector + "}[" + std::to_string(std::max(60LL, window_seconds)) + "s]))";
    Answer names = by == "owner" ? Answer{} : ask(*client_, "host names", names_query, now_unix, options_.max_series);
    Answer rows = usage.get();
    if (rows.error) throw util::Error(*rows.error);
    std::map<std::pair<std::string, std::string>, std::string> hostnames;
    for (const auto& s : names.samples) {
        const auto host = s.labels.find("Hostname");
        if (host != s.labels.end() && !host->second.empty()) {
            hostnames[{s.labels.count("job") ? s.labels.at("job") : "", s.labels.count("instance") ? s.labels.at("instance") : ""}] =
                host->second;
        }
    }
    auto label = [](const PromLabels& l, const char* name) {
        const auto it = l.find(name);
        return it == l.end() ? std::string() : it->second;
    };
    std::map<std::tuple<std::string, std::string, std::string>, model::UsageRow> by_key;
    for (const auto& s : rows.samples) {
        model::UsageRow row;
        if (by != "server") row.owner = label(s.labels, "owner");
        if (by == "container") row.container = label(s.labels, "name");
        if (by != "owner") {
            const std::pair<std::string, std::string> key{label(s.labels, "job"), label(s.labels, "instance")};
            const auto host = hostnames.find(key);
            row.server = host != hostnames.end() ? host->second : key.second;
        }
        auto& entry = by_key.try_emplace({row.server, row.owner, row.container}, row).first->second;
        const std::string kind = label(s.labels, "kind");
        const std::optional<double> value = std::isfinite(s.value) ? std::optional<double>(s.value) : std::nullopt;
        // Several instances may share a host name (a monitor moved ports): add them up.
        auto add = [&](std::optional<double>& slot) { slot = value ? slot.value_or(0) + *value : slot; };
        if (kind == "held") add(entry.seconds.held);
        if (kind == "busy") add(entry.seconds.busy);
        if (kind == "idle_held") add(entry.seconds.idle_held);
    }
    model::UsageReport report;
    report.by = by;
    report.window_seconds = window_seconds;
    report.end_unix = now_unix;
    for (auto& [key, row] : by_key) report.rows.push_back(std::move(row));
    std::stable_sort(report.rows.begin(), report.rows.end(), [](const auto& a, const auto& b) {
        return a.seconds.held.value_or(0) > b.seconds.held.value_or(0);
    });
    return report;
}

}  // namespace cmon::sources
