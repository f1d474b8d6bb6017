// PromQL for the fleet and the report. Pure: no I/O.
#include "sources/prometheus/fleet_queries.hpp"

#include <algorithm>

namespace cmon::sources {

const std::vector<std::string>& fleet_gauge_names() {
    static const std::vector<std::string> kNames = {
        // host (exporters/metric_table.cpp)
        "cmon_host_cpu_busy_percent", "cmon_host_memory_used_bytes", "cmon_host_memory_total_bytes",
        "cmon_source_up",
        // NVIDIA GPUs under dcgm-exporter's names, carrying the Hostname label
        "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_TOTAL",
        "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "cmon_gpu_lost",
        // every vendor (issue 14's vendor-neutral series), preferred where present
        "cmon_gpu_utilization_ratio", "cmon_gpu_memory_used_bytes", "cmon_gpu_memory_total_bytes",
        "cmon_gpu_temperature_celsius", "cmon_gpu_power_watts",
        // who holds what
        "cmon_gpu_process_memory_bytes", "cmon_gpu_process_sm_percent", "cmon_gpu_process_idle",
        "cmon_gpu_process_idle_since_seconds", "cmon_container_info"};
    return kNames;
}

const std::vector<AccountingCounter>& accounting_counters() {
    static const std::vector<AccountingCounter> kCounters = {
        {"cmon_container_gpu_held_seconds_total", "held", "instance_owner:cmon_gpu_held_hours:increase1d"},
        {"cmon_container_gpu_busy_seconds_total", "busy", "instance_owner:cmon_gpu_busy_hours:increase1d"},
        {"cmon_container_gpu_idle_held_seconds_total", "idle_held",
         "instance_owner:cmon_gpu_idle_held_hours:increase1d"}};
    return kCounters;
}

std::string job_selector(std::string_view job) {
    std::string out = "job=\"";
    for (char c : job) {
        if (c == '\\' || c == '"') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string usage_query(std::string_view selector, std::string_view by, const std::vector<UsageWindow>& windows) {
    std::string out;
    for (const auto& window : windows) {
        for (const auto& counter : accounting_counters()) {
            if (!out.empty()) out += " or ";
            out += "label_replace(label_replace(sum by (" + std::string(by) + ") (increase(" +
                   std::string(counter.metric) + "{" + std::string(selector) + "}[" +
                   std::to_string(window.seconds < 60 ? 60 : window.seconds) + "s])), \"window\", \"" + window.name +
                   "\", \"\", \"\"), \"kind\", \"" + std::string(counter.kind) + "\", \"\", \"\")";
        }
    }
    return out;
}

std::string counted_before_first_sample_query(std::string_view selector, std::string_view by, long long window_seconds,
                                              double at_unix) {
    const std::string sel(selector);
    const std::string range = "[" + std::to_string(std::max(60LL, window_seconds)) + "s]";
    const std::string start = std::to_string(static_cast<long long>(at_unix) - std::max(60LL, window_seconds));
    std::string out;
    for (const auto& counter : accounting_counters()) {
        if (!out.empty()) out += " or ";
        out += "label_replace(sum by (" + std::string(by) + ") (min_over_time(" + std::string(counter.metric) + "{" +
               sel + "}" + range + ") and on (job, instance) (min_over_time(cmon_accounting_start_time_seconds{" + sel +
               "}" + range + ") >= " + start + ")), \"kind\", \"" + std::string(counter.kind) + "\", \"\", \"\")";
    }
    return out;
}

std::string recorded_days_query(std::string_view selector, std::string_view by, const std::vector<double>& day_ends) {
    std::string out;
    for (std::size_t day = 0; day < day_ends.size(); ++day) {
        const std::string at = std::to_string(static_cast<long long>(day_ends[day]));
        for (const auto& counter : accounting_counters()) {
            if (!out.empty()) out += " or ";
            out += "label_replace(label_replace(sum by (" + std::string(by) + ") (" +
                   std::string(counter.recorded_hours_per_day) + "{" + std::string(selector) + "} @ " + at +
                   "), \"day\", \"" + std::to_string(day) + "\", \"\", \"\"), \"kind\", \"" +
                   std::string(counter.kind) + "\", \"\", \"\")";
        }
    }
    return out;
}

std::string host_names_query(std::string_view selector, long long range_seconds) {
    const std::string range = "[" + std::to_string(std::max(60LL, range_seconds)) + "s]";
    const std::string sel(selector);
    return "group by (job, instance, Hostname) (last_over_time(cmon_host_info{" + sel + "}" + range +
           ")) or group by (job, instance, Hostname) (last_over_time(DCGM_FI_DEV_FB_USED{" + sel + "}" + range + "))";
}

FleetQueries make_fleet_queries(std::string_view selector, const std::vector<UsageWindow>& windows,
                                long long lookback_seconds) {
    const std::string sel(selector);
    FleetQueries q;
    q.up = "up{" + sel + "}";
    // To the evaluation interval over the last 10 minutes (a subquery's default step), to the minute
    // further back: a monitor that just went down gets an exact time without 86400 steps a day.
    const std::string ok = "timestamp(up{" + sel + "} == 1)";
    q.last_data = "max by (job, instance) (max_over_time(" + ok + "[600s:])) or max by (job, instance) (max_over_time(" +
                  ok + "[" + std::to_string(lookback_seconds) + "s:60s]))";
    q.names = host_names_query(selector, 3600);
    std::string names;
    for (const auto& name : fleet_gauge_names()) names += (names.empty() ? "" : "|") + name;
    q.gauges = "{__name__=~\"" + names + "\"," + sel + "}";
    q.usage = usage_query(selector, "owner", windows);
    return q;
}

}  // namespace cmon::sources
