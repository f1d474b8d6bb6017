// Fleet assembly: joins the instant vectors of fleet_queries.hpp by (job, instance) and GPU, the way a
// PromQL `on(...)` join would, but here so the joins stay cheap and a missing series is std::nullopt.
// Pure: no I/O.
#include "sources/prometheus/fleet_assembler.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace cmon::sources {

namespace {

using ServerKey = std::pair<std::string, std::string>;  // job, instance

std::string label(const PromLabels& labels, const std::string& name) {
    const auto it = labels.find(name);
    return it == labels.end() ? std::string() : it->second;
}

ServerKey server_key(const PromLabels& labels) { return {label(labels, "job"), label(labels, "instance")}; }

std::optional<double> finite(double value) {
    if (!std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<std::uint64_t> bytes(double value) {
    if (!std::isfinite(value) || value < 0) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(value));
}

// dcgm-exporter names the GPU instance of a MIG slice GPU_I_ID; our own series may say gpu_instance_id.
std::optional<std::string> mig_of(const PromLabels& labels) {
    for (const char* name : {"GPU_I_ID", "gpu_instance_id"}) {
        const std::string value = label(labels, name);
        if (!value.empty()) return value;
    }
    return std::nullopt;
}

using GpuKey = std::pair<std::string, std::string>;  // gpu index, mig instance ("" = whole GPU)

struct ProcessRow {
    std::string container;
    std::string container_id;
    std::optional<double> memory;
    std::optional<double> sm;
    bool idle = false;
    std::optional<double> idle_since;
};

struct ServerDraft {
    model::FleetServer server;
    std::map<GpuKey, model::FleetGpu> gpus;
    std::map<std::tuple<std::string, std::string, std::string>, ProcessRow> processes;  // gpu, mig, pid
    std::map<std::string, std::pair<std::string, std::string>> containers;  // hex id -> name, owner
    std::set<std::string> sources_down;
};

model::FleetGpu& gpu_of(ServerDraft& draft, const PromLabels& labels) {
    GpuKey key{label(labels, "gpu"), mig_of(labels).value_or("")};
    auto [it, inserted] = draft.gpus.try_emplace(key);
    if (inserted) {
        it->second.gpu = key.first;
        if (!key.second.empty()) it->second.mig_instance = key.second;
        it->second.vendor = "nvidia";
    }
    return it->second;
}

void apply_gauge(ServerDraft& draft, const std::string& name, const PromSample& s) {
    const auto& l = s.labels;
    constexpr double kMiB = 1024.0 * 1024.0;
    auto& server = draft.server;
    if (name == "cmon_host_cpu_busy_percent") {
        server.cpu_busy_percent = finite(s.value);
    } else if (name == "cmon_host_memory_used_bytes") {
        server.memory_used_bytes = bytes(s.value);
    } else if (name == "cmon_host_memory_total_bytes") {
        server.memory_total_bytes = bytes(s.value);
    } else if (name == "cmon_source_up") {
        if (s.value == 0) draft.sources_down.insert(label(l, "source"));
    } else if (name.starts_with("DCGM_FI_DEV_") || name == "cmon_gpu_lost") {
        auto& gpu = gpu_of(draft, l);
        if (gpu.uuid.empty()) gpu.uuid = label(l, "UUID");
        if (gpu.model.empty()) gpu.model = label(l, "modelName");
        // The vendor-neutral series win where both exist (set below, never overwritten here).
        if (name == "DCGM_FI_DEV_GPU_UTIL" && !gpu.utilization_percent) gpu.utilization_percent = finite(s.value);
        if (name == "DCGM_FI_DEV_FB_USED" && !gpu.memory_used_bytes) gpu.memory_used_bytes = bytes(s.value * kMiB);
        if (name == "DCGM_FI_DEV_FB_TOTAL" && !gpu.memory_total_bytes) gpu.memory_total_bytes = bytes(s.value * kMiB);
        if (name == "DCGM_FI_DEV_GPU_TEMP" && !gpu.temperature_celsius) gpu.temperature_celsius = finite(s.value);
        if (name == "DCGM_FI_DEV_POWER_USAGE" && !gpu.power_watts) gpu.power_watts = finite(s.value);
        if (name == "cmon_gpu_lost") gpu.lost = s.value != 0;
    } else if (name.starts_with("cmon_gpu_") && !name.starts_with("cmon_gpu_process_")) {
        auto& gpu = gpu_of(draft, l);
        if (const auto vendor = label(l, "vendor"); !vendor.empty()) gpu.vendor = vendor;
        if (const auto uuid = label(l, "uuid"); !uuid.empty()) gpu.uuid = uuid;
        if (gpu.uuid.empty()) gpu.uuid = label(l, "pci");
        if (name == "cmon_gpu_utilization_ratio" && std::isfinite(s.value)) gpu.utilization_percent = s.value * 100;
        if (name == "cmon_gpu_memory_used_bytes" && bytes(s.value)) gpu.memory_used_bytes = bytes(s.value);
        if (name == "cmon_gpu_memory_total_bytes" && bytes(s.value)) gpu.memory_total_bytes = bytes(s.value);
        if (name == "cmon_gpu_temperature_celsius" && finite(s.value)) gpu.temperature_celsius = s.value;
        if (name == "cmon_gpu_power_watts" && finite(s.value)) gpu.power_watts = s.value;
    } else if (name.starts_with("cmon_gpu_process_")) {
        auto& row = draft.processes[{label(l, "gpu"), mig_of(l).value_or(""), label(l, "pid")}];
        row.container = label(l, "container");
        row.container_id = container_hex_id(label(l, "container_id"));
        if (name == "cmon_gpu_process_memory_bytes") row.memory = finite(s.value);
        if (name == "cmon_gpu_process_sm_percent") row.sm = finite(s.value);
        if (name == "cmon_gpu_process_idle") row.idle = s.value != 0;
        if (name == "cmon_gpu_process_idle_since_seconds") row.idle_since = finite(s.value);
    } else if (name == "cmon_container_info") {
        const std::string id = container_hex_id(label(l, "id"));
        if (!id.empty()) draft.containers[id] = {label(l, "name"), label(l, "owner")};
    }
}

std::string gpu_place(const std::string& server, const model::FleetGpu& gpu) {
    return server + "/" + gpu.gpu + (gpu.mig_instance ? "/" + *gpu.mig_instance : "");
}

bool by_gpu_index(const model::FleetGpu& a, const model::FleetGpu& b) {
    auto number = [](const std::string& text) {
        return text.size() < 10 && !text.empty() && std::all_of(text.begin(), text.end(), ::isdigit)
                   ? std::stol(text)
                   : 1L << 40;
    };
    return std::make_tuple(number(a.gpu), a.gpu, a.mig_instance.has_value(), a.mig_instance.value_or("")) <
           std::make_tuple(number(b.gpu), b.gpu, b.mig_instance.has_value(), b.mig_instance.value_or(""));
}

// Holders per GPU from the process rows, owners from cmon_container_info (else the container name).
void attach_holders(ServerDraft& draft) {
    std::map<GpuKey, std::map<std::string, model::FleetHolder>> holders;  // by container id (or pid)
    for (const auto& [key, row] : draft.processes) {
        const auto& [gpu_index, mig, pid] = key;
        const std::string holder_key = row.container_id.empty() ? "pid:" + pid : row.container_id;
        auto [it, inserted] = holders[{gpu_index, mig}].try_emplace(holder_key);
        auto& holder = it->second;
        if (inserted) {
            holder.container = row.container;
            holder.container_id = row.container_id;
            const auto info = draft.containers.find(row.container_id);
            if (info != draft.containers.end() && !info->second.first.empty()) holder.container = info->second.first;
            holder.owner = info != draft.containers.end() && !info->second.second.empty() ? info->second.second
                                                                                           : holder.container;
            holder.idle = true;
        }
        ++holder.processes;
        holder.memory_bytes += bytes(row.memory.value_or(0)).value_or(0);
        if (row.sm) holder.sm_percent = holder.sm_percent.value_or(0) + *row.sm;
        holder.idle = holder.idle && row.idle;
        if (row.idle_since && (!holder.idle_since_unix || *row.idle_since < *holder.idle_since_unix)) {
            holder.idle_since_unix = row.idle_since;
        }
    }
    for (auto& [key, by_container] : holders) {
        auto [it, inserted] = draft.gpus.try_emplace(key);
        if (inserted) {
            it->second.gpu = key.first;
            if (!key.second.empty()) it->second.mig_instance = key.second;
            it->second.vendor = "nvidia";
        }
        for (auto& [id, holder] : by_container) {
            if (!holder.idle) holder.idle_since_unix.reset();
            it->second.holders.push_back(std::move(holder));
        }
        std::sort(it->second.holders.begin(), it->second.holders.end(),
                  [](const auto& a, const auto& b) { return a.memory_bytes > b.memory_bytes; });
    }
}

std::vector<model::FleetContainer> top_containers(const std::vector<model::FleetGpu>& gpus, std::size_t limit) {
    std::map<std::string, model::FleetContainer> by_id;
    for (const auto& gpu : gpus) {
        for (const auto& holder : gpu.holders) {
            if (holder.container_id.empty()) continue;
            auto [it, inserted] = by_id.try_emplace(holder.container_id);
            auto& c = it->second;
            if (inserted) {
                c.name = holder.container;
                c.container_id = holder.container_id;
                c.owner = holder.owner;
                c.idle = true;
            }
            c.gpu_memory_bytes += holder.memory_bytes;
            c.sm_percent += holder.sm_percent.value_or(0);
            ++c.gpus;
            c.idle = c.idle && holder.idle;
        }
    }
    std::vector<model::FleetContainer> out;
    for (auto& [id, c] : by_id) out.push_back(std::move(c));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(b.gpu_memory_bytes, a.name) < std::tie(a.gpu_memory_bytes, b.name);
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

void add_usage(std::map<std::string, model::OwnerUsage>& owners, const PromSample& s) {
    const std::string owner = label(s.labels, "owner");
    const std::string window = label(s.labels, "window");
    const std::string kind = label(s.labels, "kind");
    auto& usage = owners[owner];
    usage.owner = owner;
    model::LabGpuSeconds* seconds = window == "today" ? &usage.today
                                 : window == "week" ? &usage.week
                                 : window == "month" ? &usage.month
                                                     : nullptr;
    if (seconds == nullptr) return;
    const auto value = finite(s.value);
    if (kind == "held") seconds->held = value;
    if (kind == "busy") seconds->busy = value;
    if (kind == "idle_held") seconds->idle_held = value;
}

}  // namespace

UsageParts combine_usage(const std::vector<PromSample>& today, const std::vector<PromSample>* whole_days,
                         long long today_seconds, double at_unix) {
    UsageParts out;
    out.samples = today;
    // (owner, kind) -> GPU-seconds per whole day k (k = 0: yesterday); the days that have any series.
    std::map<std::pair<std::string, std::string>, std::map<int, double>> per_day;
    std::map<std::pair<std::string, std::string>, double> today_seconds_by;
    std::set<int> days;
    if (whole_days != nullptr) {
        for (const auto& s : *whole_days) {
            const std::string day = label(s.labels, "day");
            if (day.empty() || day.find_first_not_of("0123456789") != std::string::npos || !std::isfinite(s.value)) {
                continue;
            }
            const int k = std::stoi(day);
            per_day[{label(s.labels, "owner"), label(s.labels, "kind")}][k] += s.value * 3600;
            days.insert(k);
        }
    }
    for (const auto& s : today) {
        const std::pair<std::string, std::string> key{label(s.labels, "owner"), label(s.labels, "kind")};
        if (std::isfinite(s.value)) today_seconds_by[key] = s.value;
        per_day.try_emplace(key);
    }
    for (const auto& [window, whole] :
         {std::pair<const char*, int>{"week", kUsageWeekDays - 1}, {"month", kUsageMonthDays - 1}}) {
        bool covered = whole_days != nullptr;
        for (int k = 0; covered && k < whole; ++k) covered = days.count(k) != 0;
        if (!covered) {
            // Since the local midnight `whole` days before today's, as the recorded days count.
            out.fallback.push_back({window, today_seconds + 86400LL * whole});
            continue;
        }
        ++out.recorded_windows;
        for (const auto& [key, by_day] : per_day) {
            PromSample sample;
            sample.labels = {{"owner", key.first}, {"kind", key.second}, {"window", window}};
            const auto t = today_seconds_by.find(key);
            bool any = t != today_seconds_by.end();
            sample.value = any ? t->second : 0;
            for (const auto& [k, seconds] : by_day) {
                if (k < whole) {
                    sample.value += seconds;
                    any = true;
                }
            }
            if (!any) continue;  // an owner seen only on older days of the month
            sample.timestamp = at_unix;
            out.samples.push_back(std::move(sample));
        }
    }
    return out;
}

std::string container_hex_id(std::string_view id) {
    const std::size_t slash = id.rfind('/');
    return std::string(slash == std::string_view::npos ? id : id.substr(slash + 1));
}

model::FleetSnapshot assemble_fleet(const FleetAnswers& answers, const FleetAssemblyOptions& options) {
    std::map<ServerKey, ServerDraft> drafts;
    auto draft_of = [&](const PromLabels& labels) -> ServerDraft& {
        const ServerKey key = server_key(labels);
        auto [it, inserted] = drafts.try_emplace(key);
        if (inserted) {
            it->second.server.job = key.first;
            it->second.server.instance = key.second;
        }
        return it->second;
    };
    for (const auto& s : answers.up) {
        auto& draft = draft_of(s.labels);
        draft.server.up = s.value == 1;
        if (draft.server.up) draft.server.last_data_unix = s.timestamp;
    }
    for (const auto& s : answers.last_data) {
        auto& draft = draft_of(s.labels);  // a monitor gone from service discovery still shows, as down
        if (!draft.server.up) draft.server.last_data_unix = finite(s.value);
    }
    std::map<ServerKey, std::string> names(options.known_names.begin(), options.known_names.end());
    for (const auto& s : answers.names) {
        if (const auto name = label(s.labels, "Hostname"); !name.empty()) names[server_key(s.labels)] = name;
    }
    for (const auto& s : answers.gauges) {
        const std::string name = label(s.labels, "__name__");
        // A down monitor's gauges are stale and not in an instant vector; what is there is current.
        auto& draft = draft_of(s.labels);
        if (const auto host = label(s.labels, "Hostname"); !host.empty()) names[server_key(s.labels)] = host;
        apply_gauge(draft, name, s);
    }

    model::FleetSnapshot fleet;
    fleet.data_unix = answers.at_unix;
    fleet.free_gpu_memory_bytes = options.free_gpu_memory_bytes;
    std::map<std::string, model::OwnerUsage> owners;
    for (auto& [key, draft] : drafts) {
        attach_holders(draft);
        auto& server = draft.server;
        const auto named = names.find(key);
        server.name = named != names.end() ? named->second : key.second;
        server.sources_down.assign(draft.sources_down.begin(), draft.sources_down.end());
        for (auto& [gpu_key, gpu] : draft.gpus) server.gpus.push_back(std::move(gpu));
        std::sort(server.gpus.begin(), server.gpus.end(), by_gpu_index);
        // A GPU split into MIG slices is held through its slices: a held slice makes its parent not free.
        std::set<std::string> sliced_and_held;
        for (const auto& gpu : server.gpus) {
            if (gpu.mig_instance && !gpu.holders.empty()) sliced_and_held.insert(gpu.gpu);
        }
        for (auto& gpu : server.gpus) {
            const bool slice_held = !gpu.mig_instance && sliced_and_held.count(gpu.gpu) > 0;
            gpu.free = server.up && !gpu.lost && !slice_held && gpu.holders.empty() && gpu.memory_used_bytes &&
                       static_cast<double>(*gpu.memory_used_bytes) < options.free_gpu_memory_bytes;
            for (const auto& holder : gpu.holders) {
                const std::string who = holder.owner.empty() ? holder.container : holder.owner;
                if (who.empty()) continue;
                auto& usage = owners[who];
                usage.owner = who;
                usage.holding.push_back(gpu_place(server.name, gpu));
                if (holder.idle) usage.idle_holding.push_back(gpu_place(server.name, gpu));
            }
        }
        for (const auto& gpu : server.gpus) {
            if (!gpu.free) continue;
            std::optional<std::uint64_t> free_bytes;
            if (gpu.memory_total_bytes && gpu.memory_used_bytes && *gpu.memory_total_bytes >= *gpu.memory_used_bytes) {
                free_bytes = *gpu.memory_total_bytes - *gpu.memory_used_bytes;
            }
            fleet.free_gpus.push_back({server.name, gpu.gpu, gpu.mig_instance, gpu.uuid, gpu.model, free_bytes,
                                       gpu.memory_total_bytes, gpu.utilization_percent});
        }
        server.top_containers = top_containers(server.gpus, options.top_containers);
        fleet.servers.push_back(std::move(server));
    }
    std::sort(fleet.servers.begin(), fleet.servers.end(), [](const auto& a, const auto& b) {
        return std::tie(a.name, a.instance) < std::tie(b.name, b.instance);
    });
    std::stable_sort(fleet.free_gpus.begin(), fleet.free_gpus.end(), [](const auto& a, const auto& b) {
        return a.memory_free_bytes.value_or(0) > b.memory_free_bytes.value_or(0);
    });
    for (const auto& s : answers.usage) add_usage(owners, s);
    fleet.accounting = answers.usage_answered && !answers.usage.empty();
    for (auto& [name, usage] : owners) {
        std::sort(usage.holding.begin(), usage.holding.end());
        usage.holding.erase(std::unique(usage.holding.begin(), usage.holding.end()), usage.holding.end());
        std::sort(usage.idle_holding.begin(), usage.idle_holding.end());
        usage.idle_holding.erase(std::unique(usage.idle_holding.begin(), usage.idle_holding.end()),
                                 usage.idle_holding.end());
        fleet.owners.push_back(std::move(usage));
    }
    return fleet;
}

}  // namespace cmon::sources
