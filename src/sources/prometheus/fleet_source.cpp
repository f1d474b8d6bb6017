// One fleet refresh: the queries in parallel (one connection each), then the pure assembly.
#include "sources/prometheus/fleet_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <future>
#include <map>
#include <set>
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

struct Timed {
    Answer answer;
    model::FleetQueryTiming timing;
};

Timed timed_ask(PrometheusClient& client, const std::string& what, const std::string& promql, double at,
                std::size_t max_series) {
    const auto started = std::chrono::steady_clock::now();
    Timed out{ask(client, what, promql, at, max_series), {}};
    out.timing.name = what;
    out.timing.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    out.timing.series = out.answer.samples.size();
    out.timing.error = out.answer.error;
    return out;
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

FleetSource::Usage FleetSource::usage(PrometheusClient& client, const std::string& selector, std::size_t max_series,
                                      double now_unix) {
    Usage out;
    out.at_unix = now_unix;
    const long long today = seconds_since_local_midnight(now_unix);
    const double midnight = now_unix - static_cast<double>(today);
    // The whole days before today: day k ends at the local midnight k days before today's.
    std::vector<double> day_ends;
    for (int k = 0; k < kUsageMonthDays - 1; ++k) day_ends.push_back(midnight - 86400.0 * k);
    auto recorded = std::async(std::launch::async, timed_ask, std::ref(client),
                               std::string("GPU-hours of whole days (recorded rules)"),
                               recorded_days_query(selector, "owner", day_ends), now_unix, max_series);
    Timed raw_today = timed_ask(client, "GPU-hours today (increase)",
                                usage_query(selector, "owner", {{"today", today}}), now_unix, max_series);
    Timed whole_days = recorded.get();
    out.queries = {raw_today.timing, whole_days.timing};
    for (auto* t : {&raw_today, &whole_days}) {
        for (auto& w : t->answer.warnings) out.warnings.push_back("prometheus: " + w);
    }
    if (raw_today.answer.error) {
        out.error = raw_today.answer.error;
        return out;
    }
    UsageParts parts = combine_usage(raw_today.answer.samples,
                                     whole_days.answer.error ? nullptr : &whole_days.answer.samples, today, now_unix);
    out.samples = std::move(parts.samples);
    const std::vector<UsageWindow>& fallback = parts.fallback;
    const int recorded_windows = parts.recorded_windows;
    if (!fallback.empty()) {
        Timed raw = timed_ask(client, "GPU-hours " + fallback.front().name + (fallback.size() > 1 ? "+month" : "") +
                                          " (increase)",
                              usage_query(selector, "owner", fallback), now_unix, max_series);
        out.queries.push_back(raw.timing);
        for (auto& w : raw.answer.warnings) out.warnings.push_back("prometheus: " + w);
        if (raw.answer.error) {
            out.error = raw.answer.error;
            return out;
        }
        out.samples.insert(out.samples.end(), raw.answer.samples.begin(), raw.answer.samples.end());
    }
    out.source = recorded_windows == 2 ? "recorded rules" : recorded_windows == 1 ? "recorded rules (week), increase() (month)" : "increase()";
    return out;
}

model::FleetSnapshot FleetSource::refresh(double now_unix) {
    const auto started = std::chrono::steady_clock::now();
    const FleetQueries q = make_fleet_queries(options_.selector, {}, options_.lookback_seconds);
    auto launch = [&](const char* what, const std::string& promql) {
        return std::async(std::launch::async, timed_ask, std::ref(*client_), std::string(what), promql, now_unix,
                          options_.max_series);
    };
    auto up = launch("up", q.up);
    auto gauges = launch("gauges", q.gauges);
    auto last_data = launch("last data", q.last_data);
    auto names = launch("host names", q.names);
    Timed timed[] = {up.get(), gauges.get(), last_data.get(), names.get()};
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::vector<model::FleetQueryTiming> queries;
    for (const auto& t : timed) queries.push_back(t.timing);
    // The GPU-hours run apart: launched at most every usage interval, after the live queries (so the first
    // answer does not share Prometheus with them), taken when done, never waited for.
    if (!usage_pending_.valid() &&
        (!usage_launched_unix_ || now_unix - *usage_launched_unix_ >= options_.usage_every_seconds)) {
        usage_launched_unix_ = now_unix;
        usage_pending_ = std::async(std::launch::async, [client = client_, selector = options_.selector,
                                                         cap = options_.max_series, now_unix] {
            return usage(*client, selector, cap, now_unix);
        });
    }
    if (usage_pending_.valid() && usage_pending_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        Usage fresh = usage_pending_.get();
        if (!fresh.error || !usage_) usage_ = std::move(fresh);
        else usage_->error = fresh.error;  // keep the last GPU-hours that worked, say why they are old
    }

    std::vector<std::string> warnings;
    for (auto& t : timed) {
        for (auto& w : t.answer.warnings) warnings.push_back("prometheus: " + w);
    }
    const std::optional<std::string> fatal = timed[0].answer.error ? timed[0].answer.error : timed[1].answer.error;
    if (fatal) {
        model::FleetSnapshot fleet = last_good_.value_or(model::FleetSnapshot{});
        fleet.error = fatal;
        fleet.generated_unix = now_unix;
        fleet.prometheus = client_->endpoint().display;
        fleet.query_milliseconds = elapsed_ms;
        fleet.warnings = std::move(warnings);
        fleet.queries = std::move(queries);
        return fleet;
    }
    for (int i = 2; i < 4; ++i) {
        if (timed[i].answer.error) warnings.push_back(*timed[i].answer.error);
    }
    FleetAnswers input;
    input.at_unix = now_unix;
    input.up = std::move(timed[0].answer.samples);
    input.gauges = std::move(timed[1].answer.samples);
    input.last_data = std::move(timed[2].answer.samples);
    input.names = std::move(timed[3].answer.samples);
    if (usage_) {
        input.usage = usage_->samples;
        input.usage_answered = usage_->samples.size() > 0 || !usage_->error;
        for (const auto& w : usage_->warnings) warnings.push_back(w);
        if (usage_->error) warnings.push_back(*usage_->error);
        queries.insert(queries.end(), usage_->queries.begin(), usage_->queries.end());
    }
    model::FleetSnapshot fleet = assemble_fleet(input, options_.assembly);
    for (const auto& server : fleet.servers) {
        if (server.name != server.instance) options_.assembly.known_names[{server.job, server.instance}] = server.name;
    }
    fleet.generated_unix = now_unix;
    fleet.prometheus = client_->endpoint().display;
    fleet.query_milliseconds = elapsed_ms;
    fleet.warnings = std::move(warnings);
    fleet.queries = std::move(queries);
    if (usage_ && (!usage_->error || !usage_->samples.empty())) {
        fleet.usage_unix = usage_->at_unix;
        fleet.usage_source = usage_->source;
    }
    last_good_ = fleet;
    return fleet;
}

model::UsageReport FleetSource::report(const std::string& by, long long window_seconds, double now_unix) {
    const std::string group = by == "owner" ? "owner" : by == "container" ? "job, instance, name, owner" : "job, instance";
    const std::vector<UsageWindow> windows = {{"window", window_seconds}};
    auto usage = std::async(std::launch::async, ask, std::ref(*client_), std::string("GPU-hours"),
                            usage_query(options_.selector, group, windows), now_unix, options_.max_series);
    // What the counters of monitors that began counting inside the window had reached at their first
    // sample (increase() starts there); nothing for monitors without cmon_accounting_start_time_seconds.
    auto before_first = std::async(std::launch::async, ask, std::ref(*client_), std::string("GPU-hours before the first sample"),
                                   counted_before_first_sample_query(options_.selector, group, window_seconds, now_unix),
                                   now_unix, options_.max_series);
    // Host names of the servers over the window (a server may be gone by now).
    const std::string names_query = host_names_query(options_.selector, window_seconds);
    Answer names = by == "owner" ? Answer{} : ask(*client_, "host names", names_query, now_unix, options_.max_series);
    Answer rows = usage.get();
    if (rows.error) throw util::Error(*rows.error);
    Answer head = before_first.get();
    if (head.error) throw util::Error(*head.error);
    for (auto& s : head.samples) {
        s.labels["window"] = "window";
        rows.samples.push_back(std::move(s));  // added to the same (key, kind) below
    }
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
