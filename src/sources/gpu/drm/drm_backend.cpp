// DrmBackend: one sample = card readings + one sweep of <proc> + KFD, merged into the common GPU model.
// Clients are counted once per (drm-pdev, drm-client-id), however many fds or forked processes share them
// (drm-usage-stats.rst: "userspace should make sure to not double account"); a shared client is credited
// to the lowest pid holding it.
#include "sources/gpu/drm/drm_backend.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

namespace cmon::sources {

namespace {

constexpr unsigned kRediscoverEvery = 60;  // samples; GPUs do not come and go, but drivers may reload

std::int64_t to_ns(std::chrono::steady_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

struct UniqueClient {
    unsigned pid = 0;
    unsigned gpu = 0;
    const DrmClientReading* reading = nullptr;
};

struct ProcessUse {
    std::map<std::string, double> engines;
    std::optional<std::uint64_t> memory;
    bool drm = false;
    bool kfd = false;
};

}  // namespace

DrmBackend::DrmBackend(const HostPaths& paths, const util::Clock& clock, DrmProcessReaderOptions options)
    : paths_(paths),
      clock_(clock),
      no_cards_note_(fmt::format("no AMD or Intel GPU under {}", (paths.sys / "class" / "drm").string())),
      devices_(paths.sys),
      processes_(paths.proc, std::move(options)),
      kfd_(paths.sys) {}

void DrmBackend::discover() {
    cards_ = devices_.discover();
    kfd_nodes_ = kfd_.topology();
    samples_since_discovery_ = 0;
    discovered_ = true;
}

GpuSample DrmBackend::sample() {
    if (!discovered_ || ++samples_since_discovery_ >= kRediscoverEvery) discover();
    GpuSample out;
    if (cards_.empty()) {
        out.note = no_cards_note_;
        return out;
    }
    const std::int64_t now_ns = to_ns(clock_.steady_now());

    std::map<std::string, unsigned> by_pdev;
    std::map<std::string, unsigned> by_node;
    std::map<unsigned, unsigned> by_minor;
    for (unsigned i = 0; i < cards_.size(); ++i) {
        model::GpuDevice device;
        device.index = i;
        devices_.read(cards_[i], now_ns, device);
        out.devices.push_back(std::move(device));
        by_pdev[cards_[i].pci_bus_id] = i;
        by_node[cards_[i].card] = i;
        if (cards_[i].render_node) by_node[*cards_[i].render_node] = i;
        if (cards_[i].render_minor) by_minor[*cards_[i].render_minor] = i;
    }

    // Unique clients, keyed by (device, client id); a reading without a client id cannot be matched with
    // others and counts on its own.
    const DrmProcessScan scan = processes_.scan();
    std::map<EngineUsageTracker::ClientKey, UniqueClient> clients;
    std::map<std::pair<unsigned, unsigned>, ProcessUse> uses;  // (pid, gpu)
    for (const DrmClientReading& reading : scan.clients) {
        std::optional<unsigned> gpu;
        if (reading.info.pdev) {
            if (auto found = by_pdev.find(*reading.info.pdev); found != by_pdev.end()) gpu = found->second;
        } else if (auto found = by_node.find(reading.node); found != by_node.end()) {
            gpu = found->second;
        }
        if (!gpu) continue;  // another vendor's card (nouveau, a display-only device)
        if (!reading.info.client_id) {
            const EngineUsageTracker::ClientKey key{
                fmt::format("{}/pid{}/fd{}", cards_[*gpu].pci_bus_id, reading.pid, reading.fd), 0};
            clients[key] = {reading.pid, *gpu, &reading};
            continue;
        }
        const EngineUsageTracker::ClientKey key{cards_[*gpu].pci_bus_id, *reading.info.client_id};
        auto [it, inserted] = clients.try_emplace(key, UniqueClient{reading.pid, *gpu, &reading});
        if (!inserted && reading.pid < it->second.pid) it->second = {reading.pid, *gpu, &reading};
    }
    for (const auto& [key, client] : clients) {
        ProcessUse& use = uses[{client.pid, client.gpu}];
        use.drm = true;
        for (const auto& [engine, percent] : usage_.update(key, client.reading->info.engines, now_ns)) {
            use.engines[engine] = std::min(100.0, use.engines[engine] + percent);
        }
        if (auto bytes = drm_device_memory_bytes(client.reading->info)) use.memory = use.memory.value_or(0) + *bytes;
    }
    usage_.end_tick();

    // ROCm: KFD's view of the same processes; its VRAM figure includes what fdinfo also counts, so the
    // larger of the two stands, and CU occupancy is the process's "compute" engine.
    for (const KfdProcessUse& kfd : kfd_.processes(kfd_nodes_)) {
        if (!kfd.render_minor) continue;
        auto found = by_minor.find(*kfd.render_minor);
        if (found == by_minor.end()) continue;
        ProcessUse& use = uses[{kfd.pid, found->second}];
        use.kfd = true;
        if (kfd.vram_bytes) use.memory = std::max(use.memory.value_or(0), *kfd.vram_bytes);
        if (kfd.cu_percent) use.engines["compute"] = std::max(use.engines["compute"], *kfd.cu_percent);
    }

    // Per GPU, for devices without their own figure: the clients' memory and busiest engine.
    std::vector<std::optional<std::uint64_t>> client_memory(cards_.size());
    std::vector<std::map<std::string, double>> engine_sum(cards_.size());
    for (const auto& [where, use] : uses) {
        const auto [pid, gpu] = where;
        model::GpuProcess process;
        process.pid = pid;
        process.gpu_index = gpu;
        process.memory_used_bytes = use.memory;
        process.type = use.kfd && use.drm ? "compute+graphics" : (use.kfd ? "compute" : "graphics");
        process.engine_busy_percent = use.engines;
        if (!use.engines.empty()) {
            double busiest = 0;
            for (const auto& [engine, percent] : use.engines) {
                busiest = std::max(busiest, percent);
                engine_sum[gpu][engine] = std::min(100.0, engine_sum[gpu][engine] + percent);
            }
            process.sm_percent = static_cast<unsigned>(std::lround(busiest));
        }
        if (use.memory) client_memory[gpu] = client_memory[gpu].value_or(0) + *use.memory;
        out.processes.push_back(std::move(process));
    }
    for (unsigned i = 0; i < cards_.size(); ++i) {
        model::GpuDevice& device = out.devices[i];
        if (!device.memory_used_bytes && cards_[i].vendor == "intel") device.memory_used_bytes = client_memory[i];
        if (!device.utilization_percent && !engine_sum[i].empty()) {
            double busiest = 0;
            for (const auto& [engine, percent] : engine_sum[i]) busiest = std::max(busiest, percent);
            device.utilization_percent = static_cast<unsigned>(std::lround(busiest));
        }
    }

    if (scan.denied > 0) {
        out.note = fmt::format(
            "DRM fdinfo of {} of {} processes refused: their AMD/Intel GPU use is missing (the monitor needs "
            "CAP_SYS_PTRACE, or to run as root, to read other users' /proc/<pid>/fdinfo)",
            scan.denied, scan.processes);
    }
    return out;
}

}  // namespace cmon::sources
