// The memory budget of a day of history (issue 15: <= 40 MiB RSS in total at 100 containers and 8 GPUs
// after 24 h): fills a MetricHistory, and the GPU accountant beside it, with 24 h of synthetic snapshots
// at --interval 1 (100 containers, 8 GPUs, 16 GPU processes) and prints bytes per container-hour, the
// store's own estimate and the whole process's RSS (/proc/self/status) after filling; also the cost of
// one add() and of serving the 24 h window. A benchmark: it measures and prints, it checks nothing.
//   bench_history [hours] [containers] [gpus] [processes]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>

#include "exporters/api_exporter.hpp"
#include "sampling/gpu_accountant.hpp"
#include "sampling/metric_history.hpp"
#include "util/clock.hpp"

namespace {

using namespace cmon;

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kBudgetMiB = 40;

// "VmRSS:   12345 kB" -> bytes; 0 where /proc is not there.
std::uint64_t status_bytes(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) return std::strtoull(line.c_str() + prefix.size(), nullptr, 10) * 1024;
    }
    return 0;
}

class FixedClock final : public util::Clock {
public:
    explicit FixedClock(std::chrono::system_clock::time_point at) : at_(at) {}
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }
    std::chrono::system_clock::time_point system_now() const override { return at_; }

private:
    std::chrono::system_clock::time_point at_;
};

// A cheap deterministic wobble, so values differ from sample to sample like real ones.
std::uint32_t next(std::uint32_t& state) {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

model::Snapshot base_snapshot(unsigned containers, unsigned gpus, unsigned processes) {
    model::Snapshot s;
    s.host.memory_total_bytes = 512ULL << 30;
    for (unsigned g = 0; g < gpus; ++g) {
        model::GpuDevice gpu;
        gpu.index = g;
        gpu.uuid = "GPU-" + std::to_string(g);
        gpu.memory_total_bytes = 80ULL << 30;
        s.gpus.push_back(gpu);
    }
    for (unsigned c = 0; c < containers; ++c) {
        model::ContainerStats container;
        char id[65];
        std::snprintf(id, sizeof id, "%012x%052x", 0xc0000000u + c, c);
        container.id = id;
        container.short_id = container.id.substr(0, 12);
        container.name = "user" + std::to_string(c % 40) + "-job-" + std::to_string(c);
        container.owner = "user" + std::to_string(c % 40);
        s.containers.push_back(container);
    }
    for (unsigned p = 0; p < processes; ++p) {
        model::GpuProcess process;
        process.pid = 1000 + p;
        process.gpu_index = p % gpus;
        process.container_id = s.containers[p % containers].id;
        s.gpu_processes.push_back(process);
    }
    return s;
}

void wobble(model::Snapshot& s, std::uint32_t& state) {
    s.host.cpu_busy_percent = (next(state) % 1000) / 10.0;
    s.host.memory_used_bytes = (100ULL << 30) + (next(state) % 4096) * 4096ULL;
    s.host.network_rx.bytes_per_second = next(state) % 100000000;
    s.host.network_tx.bytes_per_second = next(state) % 100000000;
    s.host.disk_read.bytes_per_second = next(state) % 500000000;
    s.host.disk_write.bytes_per_second = next(state) % 500000000;
    for (auto& gpu : s.gpus) {
        gpu.utilization_percent = next(state) % 101;
        gpu.memory_used_bytes = (next(state) % 80000) * (1ULL << 20);
    }
    for (auto& c : s.containers) {
        c.cpu_percent = (next(state) % 8000) / 10.0;
        c.memory_working_set_bytes = (next(state) % (1u << 20)) * 4096ULL;
    }
    for (auto& p : s.gpu_processes) {
        p.sm_percent = next(state) % 101;
        p.memory_used_bytes = (next(state) % 40000) * (1ULL << 20);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const double hours = argc > 1 ? std::atof(argv[1]) : 24;
    const unsigned containers = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 100;
    const unsigned gpus = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 8;
    const unsigned processes = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 16;
    const auto samples = static_cast<std::int64_t>(hours * 3600);  // --interval 1
    const auto window = std::chrono::seconds(samples);
    const std::uint64_t rss_before = status_bytes("VmRSS");

    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'040));
    FixedClock clock(start);
    sampling::MetricHistory history(window);
    sampling::GpuAccountantOptions accountant_options;
    accountant_options.retention = window;
    sampling::GpuAccountant accountant(accountant_options, clock);

    model::Snapshot snapshot = base_snapshot(containers, gpus, processes);
    std::uint32_t state = 12345;
    std::chrono::nanoseconds add_time{0};
    for (std::int64_t i = 0; i < samples; ++i) {
        snapshot.sequence = static_cast<std::uint64_t>(i + 1);
        snapshot.time = start + std::chrono::seconds(i);
        snapshot.monotonic = std::chrono::steady_clock::time_point(std::chrono::seconds(i));
        wobble(snapshot, state);
        const auto before = std::chrono::steady_clock::now();
        history.add(snapshot);
        add_time += std::chrono::steady_clock::now() - before;
        accountant.add(snapshot);
    }
    const std::uint64_t rss_after = status_bytes("VmRSS");
    const sampling::MetricHistory::Stats stats = history.stats();

    // The body of a request, in two parts: the store's query, then the JSON.
    auto timed = [&](std::chrono::seconds seconds, std::chrono::seconds step, std::string& body) {
        const auto t0 = std::chrono::steady_clock::now();
        const model::HistoryTable table = history.query(seconds, step);
        const auto t1 = std::chrono::steady_clock::now();
        body = exporters::to_api_history_json(table);
        const auto t2 = std::chrono::steady_clock::now();
        return std::pair{std::chrono::duration<double, std::milli>(t1 - t0).count(),
                         std::chrono::duration<double, std::milli>(t2 - t1).count()};
    };
    std::string day;
    std::string recent;
    const auto [day_query_ms, day_json_ms] = timed(window, std::chrono::seconds(180), day);
    const auto [recent_query_ms, recent_json_ms] = timed(std::chrono::seconds(900), std::chrono::seconds(0), recent);

    const double container_hours = containers * hours;
    std::printf("history benchmark: %.0f h at --interval 1 (%lld samples), %u containers, %u GPUs, %u GPU processes\n",
                hours, static_cast<long long>(samples), containers, gpus, processes);
    std::printf("  store: %zu raw samples, %zu minute buckets, %zu containers, %zu container-GPU series\n",
                stats.raw_samples, stats.buckets, stats.containers, stats.container_gpu_series);
    std::printf("  store estimate: %.2f MiB = %.0f bytes per container-hour (host and GPUs included)\n",
                stats.bytes / kMiB, stats.bytes / container_hours);
    std::printf("  process RSS: %.2f MiB before filling, %.2f MiB after (+%.2f MiB = %.0f bytes per container-hour)\n",
                rss_before / kMiB, rss_after / kMiB, (rss_after - rss_before) / kMiB,
                (rss_after - rss_before) / container_hours);
    std::printf("  budget: %.0f MiB RSS in total: %s (%.2f MiB)\n", kBudgetMiB,
                rss_after / kMiB <= kBudgetMiB ? "within" : "OVER", rss_after / kMiB);
    std::printf("  add(): %.1f us per sample (mean over %lld)\n",
                std::chrono::duration<double, std::micro>(add_time).count() / static_cast<double>(samples),
                static_cast<long long>(samples));
    std::printf("  /api/v1/history?seconds=%lld&step=180: query %.1f ms + JSON %.1f ms, %.2f MiB\n",
                static_cast<long long>(window.count()), day_query_ms, day_json_ms, day.size() / kMiB);
    std::printf("  /api/v1/history?seconds=900: query %.1f ms + JSON %.1f ms, %.2f MiB\n", recent_query_ms,
                recent_json_ms, recent.size() / kMiB);
    std::printf("  accountant: %zu containers listed after the day\n", accountant.report().containers.size());
    return 0;
}
