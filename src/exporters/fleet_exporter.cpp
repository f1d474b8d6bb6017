// FleetSnapshot -> the /api/v1/fleet JSON. Pure: no I/O.
#include "exporters/fleet_exporter.hpp"

#include <nlohmann/json.hpp>

namespace cmon::exporters {

namespace {

using nlohmann::json;

template <class T>
void put(json& out, const char* key, const std::optional<T>& value) {
    if (value) out[key] = *value;
}

json seconds_json(const model::LabGpuSeconds& s) {
    json out = json::object();
    put(out, "held_seconds", s.held);
    put(out, "busy_seconds", s.busy);
    put(out, "idle_held_seconds", s.idle_held);
    // busy ÷ held, as the accounting page shows it; absent without GPU time held.
    if (s.held && s.busy && *s.held > 0) out["efficiency"] = *s.busy / *s.held;
    return out;
}

json gpu_json(const model::FleetGpu& g) {
    json out = {{"gpu", g.gpu}, {"uuid", g.uuid}, {"model", g.model}, {"vendor", g.vendor},
                {"lost", g.lost}, {"free", g.free}, {"holders", json::array()}};
    put(out, "mig_instance", g.mig_instance);
    put(out, "utilization_percent", g.utilization_percent);
    put(out, "memory_used_bytes", g.memory_used_bytes);
    put(out, "memory_total_bytes", g.memory_total_bytes);
    put(out, "temperature_celsius", g.temperature_celsius);
    put(out, "power_watts", g.power_watts);
    for (const auto& h : g.holders) {
        json holder = {{"container", h.container}, {"container_id", h.container_id}, {"owner", h.owner},
                       {"memory_bytes", h.memory_bytes}, {"idle", h.idle}, {"processes", h.processes}};
        put(holder, "sm_percent", h.sm_percent);
        put(holder, "idle_since_unix", h.idle_since_unix);
        out["holders"].push_back(std::move(holder));
    }
    return out;
}

json server_json(const model::FleetServer& s) {
    json out = {{"name", s.name}, {"instance", s.instance}, {"job", s.job}, {"up", s.up},
                {"sources_down", s.sources_down}, {"gpus", json::array()}, {"top_containers", json::array()}};
    put(out, "last_data_unix", s.last_data_unix);
    put(out, "cpu_busy_percent", s.cpu_busy_percent);
    put(out, "memory_used_bytes", s.memory_used_bytes);
    put(out, "memory_total_bytes", s.memory_total_bytes);
    for (const auto& g : s.gpus) out["gpus"].push_back(gpu_json(g));
    for (const auto& c : s.top_containers) {
        out["top_containers"].push_back({{"name", c.name}, {"container_id", c.container_id}, {"owner", c.owner},
                                         {"gpu_memory_bytes", c.gpu_memory_bytes}, {"sm_percent", c.sm_percent},
                                         {"gpus", c.gpus}, {"idle", c.idle}});
    }
    return out;
}

}  // namespace

std::string to_fleet_json(const model::FleetSnapshot& fleet) {
    json out = {{"api_version", 1},
                {"generated_unix", fleet.generated_unix},
                {"prometheus", fleet.prometheus},
                {"query_milliseconds", fleet.query_milliseconds},
                {"free_gpu_memory_bytes", fleet.free_gpu_memory_bytes},
                {"accounting", fleet.accounting},
                {"warnings", fleet.warnings},
                {"free_gpus", json::array()},
                {"servers", json::array()},
                {"owners", json::array()}};
    put(out, "data_unix", fleet.data_unix);
    put(out, "error", fleet.error);
    put(out, "usage_unix", fleet.usage_unix);
    if (!fleet.usage_source.empty()) out["usage_source"] = fleet.usage_source;
    out["queries"] = json::array();
    for (const auto& q : fleet.queries) {
        json query = {{"name", q.name}, {"milliseconds", q.milliseconds}, {"series", q.series}};
        put(query, "error", q.error);
        out["queries"].push_back(std::move(query));
    }
    for (const auto& f : fleet.free_gpus) {
        json gpu = {{"server", f.server}, {"gpu", f.gpu}, {"uuid", f.uuid}, {"model", f.model}};
        put(gpu, "mig_instance", f.mig_instance);
        put(gpu, "memory_free_bytes", f.memory_free_bytes);
        put(gpu, "memory_total_bytes", f.memory_total_bytes);
        put(gpu, "utilization_percent", f.utilization_percent);
        out["free_gpus"].push_back(std::move(gpu));
    }
    for (const auto& s : fleet.servers) out["servers"].push_back(server_json(s));
    for (const auto& o : fleet.owners) {
        out["owners"].push_back({{"owner", o.owner}, {"today", seconds_json(o.today)}, {"week", seconds_json(o.week)},
                                 {"month", seconds_json(o.month)}, {"holding", o.holding},
                                 {"idle_holding", o.idle_holding}});
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cmon::exporters
