// The accounting report as JSON and as a text table. GPU-seconds stay seconds in JSON (the page divides);
// the table shows hours, which is what people ask for ("GPU-hours").
#include "exporters/accounting_exporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "exporters/format.hpp"

namespace cmon::exporters {

namespace {

using Json = nlohmann::json;

Json seconds_value(const model::GpuSeconds& s) {
    return {{"held_seconds", s.held_seconds},
            {"busy_seconds", s.busy_seconds},
            {"idle_held_seconds", s.idle_held_seconds}};
}

// Hours for windows of an hour or more ("GPU-hours"), else seconds: a one-shot's few seconds would all
// print as 0.00 h.
std::string amount(double seconds, bool in_hours) {
    return in_hours ? fmt::format("{:.2f}", seconds / 3600.0) : fmt::format("{:.1f}", seconds);
}

std::string efficiency(const model::GpuSeconds& s) {
    if (s.held_seconds <= 0) return "-";
    return fmt::format("{:.0f}%", 100.0 * s.busy_seconds / s.held_seconds);
}

std::string clip(std::string text, std::size_t width) {
    if (text.size() <= width) return text;
    return text.substr(0, width - 1) + "~";
}

std::string row(const std::string& label, const std::string& extra, const model::GpuSeconds& window,
                const model::GpuSeconds& total, bool in_hours) {
    auto hours = [in_hours](double seconds) { return amount(seconds, in_hours); };
    return fmt::format("{:<28} {:<14} {:>9} {:>9} {:>9} {:>5}   {:>9} {:>9}\n", clip(label, 28), clip(extra, 14),
                       hours(window.held_seconds), hours(window.busy_seconds), hours(window.idle_held_seconds),
                       efficiency(window), hours(total.held_seconds), hours(total.busy_seconds));
}

}  // namespace

std::vector<OwnerAccount> owner_accounts(const model::AccountingReport& report) {
    std::map<std::string, OwnerAccount> by_owner;
    for (const auto& c : report.containers) {
        OwnerAccount& owner = by_owner[c.owner];
        owner.owner = c.owner;
        if (std::find(owner.containers.begin(), owner.containers.end(), c.name) == owner.containers.end())
            owner.containers.push_back(c.name);
        owner.window += c.window();
        owner.since_start += c.since_start();
    }
    std::vector<OwnerAccount> out;
    for (auto& [name, owner] : by_owner) out.push_back(std::move(owner));
    return out;
}

nlohmann::json api_accounting_value(const model::AccountingReport& report) {
    Json root;
    root["api_version"] = 1;
    root["started"] = rfc3339_utc(report.started);
    root["since"] = rfc3339_utc(report.since);
    root["now"] = rfc3339_utc(report.now);
    root["containers"] = Json::array();
    for (const auto& c : report.containers) {
        Json container = {{"id", c.id},          {"short_id", c.short_id},
                          {"name", c.name},      {"owner", c.owner},
                          {"removed", c.removed}, {"window", seconds_value(c.window())},
                          {"since_start", seconds_value(c.since_start())}};
        if (c.removed_at) container["removed_at"] = rfc3339_utc(*c.removed_at);
        Json gpus = Json::array();
        for (const auto& g : c.gpus) {
            Json gpu = {{"gpu", std::to_string(g.gpu_index)},
                        {"uuid", g.uuid},
                        {"window", seconds_value(g.window)},
                        {"since_start", seconds_value(g.since_start)}};
            if (g.gpu_instance_id) gpu["gpu_instance_id"] = *g.gpu_instance_id;
            gpus.push_back(std::move(gpu));
        }
        container["gpus"] = std::move(gpus);
        root["containers"].push_back(std::move(container));
    }
    root["owners"] = Json::array();
    for (const auto& o : owner_accounts(report)) {
        root["owners"].push_back({{"owner", o.owner},
                                  {"containers", o.containers},
                                  {"window", seconds_value(o.window)},
                                  {"since_start", seconds_value(o.since_start)}});
    }
    return root;
}

std::string to_api_accounting_json(const model::AccountingReport& report) {
    return api_accounting_value(report).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string to_accounting_table(const model::AccountingReport& report, const std::string& window_title) {
    const bool in_hours = report.now - report.since >= std::chrono::hours(1);
    std::string out = fmt::format("GPU ACCOUNTING  {}  ({} to {}; GPU-{})\n", window_title,
                                  local_time_text(report.since), local_time_text(report.now),
                                  in_hours ? "hours" : "seconds");
    auto header = [](const char* first, const char* second) {
        return fmt::format("{:<28} {:<14} {:>9} {:>9} {:>9} {:>5}   {:>9} {:>9}\n", first, second, "HELD", "BUSY",
                           "IDLE", "EFF", "HELD ALL", "BUSY ALL");
    };
    auto by_held = [](const auto& a, const auto& b) { return a.second.held_seconds > b.second.held_seconds; };

    std::vector<std::pair<const OwnerAccount*, model::GpuSeconds>> owners;
    const auto accounts = owner_accounts(report);
    for (const auto& o : accounts) owners.emplace_back(&o, o.window);
    std::stable_sort(owners.begin(), owners.end(), by_held);
    out += "\n" + header("OWNER", "CONTAINERS");
    for (const auto& [o, window] : owners)
        out += row(o->owner, std::to_string(o->containers.size()), window, o->since_start, in_hours);
    if (owners.empty()) out += "(no container has held a GPU)\n";

    std::vector<std::pair<const model::ContainerAccount*, model::GpuSeconds>> containers;
    for (const auto& c : report.containers) containers.emplace_back(&c, c.window());
    std::stable_sort(containers.begin(), containers.end(), by_held);
    if (containers.empty()) return out;
    out += "\n" + header("CONTAINER", "OWNER");
    for (const auto& [c, window] : containers) {
        out += row(c->name + (c->removed ? " (removed)" : ""), c->owner, window, c->since_start(), in_hours);
        for (const auto& g : c->gpus) {
            std::string gpu = "  GPU " + std::to_string(g.gpu_index);
            if (g.gpu_instance_id) gpu += " MIG GI " + std::to_string(*g.gpu_instance_id);
            out += row(gpu, "", g.window, g.since_start, in_hours);
        }
    }
    return out;
}

}  // namespace cmon::exporters
