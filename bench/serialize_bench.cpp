// Serialization cost per snapshot at 100 containers, 8 GPUs and 16 GPU processes (issue 17): what the server
// builds once per sample for the load the whole-process target names (one SSE client on /api/v1/events, one
// GET /query per second). Each iteration publishes a new snapshot so nothing comes from the body cache.
//   bench_serialize                       (all; --benchmark_filter=Serve for the per-sample total)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "exporters/api_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "exporters/sse_exporter.hpp"
#include "http/router.hpp"
#include "sampling/snapshot_provider.hpp"

namespace {

using namespace cmon;

std::uint32_t next(std::uint32_t& state) {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

// Fields filled the way a Docker host fills them, values varied so numbers have their usual lengths.
model::Snapshot fleet_snapshot(unsigned containers, unsigned gpus, unsigned processes) {
    std::uint32_t state = 17;
    model::Snapshot s;
    s.sequence = 1;
    s.time = model::TimePoint(std::chrono::seconds(1765000000));
    s.host.hostname = "gpu-server-07";
    s.host.primary_ipv4 = "10.3.240.101";
    s.host.memory_total_bytes = 512ULL << 30;
    s.host.memory_used_bytes = (100ULL << 30) + (next(state) % 4096) * 4096ULL;
    s.host.cpu_busy_percent = (next(state) % 1000) / 10.0;
    for (unsigned g = 0; g < gpus; ++g) {
        model::GpuDevice gpu;
        gpu.index = g;
        gpu.name = "NVIDIA H100 80GB HBM3";
        gpu.uuid = "GPU-3f1c2a9e-5b7d-4e21-9c0a-" + std::to_string(100000000000 + g);
        gpu.memory_total_bytes = 80ULL << 30;
        gpu.memory_used_bytes = (next(state) % 80000) * (1ULL << 20);
        gpu.utilization_percent = next(state) % 101;
        gpu.memory_utilization_percent = next(state) % 101;
        s.gpus.push_back(gpu);
    }
    for (unsigned c = 0; c < containers; ++c) {
        model::ContainerStats container;
        char id[65];
        std::snprintf(id, sizeof id, "%012x%052x", 0xc0000000u + c, c);
        container.id = id;
        container.short_id = container.id.substr(0, 12);
        container.name = "user" + std::to_string(c % 40) + "-job-" + std::to_string(c);
        container.image = "nvcr.io/nvidia/pytorch:24.01-py3";
        container.state = "running";
        container.owner = "user" + std::to_string(c % 40);
        container.started_at = s.time - std::chrono::seconds(next(state) % 86400);
        container.init_pid = static_cast<int>(10000 + c);
        container.cpu_time_ns_total = std::uint64_t{next(state)} * 1000000ULL;
        container.cpu_percent = (next(state) % 8000) / 10.0 + 0.01 * (next(state) % 10);
        container.memory_usage_bytes = (next(state) % (1u << 20)) * 4096ULL;
        container.memory_working_set_bytes = *container.memory_usage_bytes / 2;
        if (c % 3 == 0) container.memory_limit_bytes = 32ULL << 30;
        container.pids = next(state) % 200;
        container.network_rx = model::ByteCounter{next(state) * 100ULL, static_cast<double>(next(state) % 100000)};
        container.network_tx = model::ByteCounter{next(state) * 100ULL, static_cast<double>(next(state) % 100000)};
        container.block_read = model::ByteCounter{next(state) * 100ULL, 0.0};
        container.block_write = model::ByteCounter{next(state) * 100ULL, static_cast<double>(next(state) % 1000)};
        s.containers.push_back(container);
    }
    for (unsigned p = 0; p < processes; ++p) {
        model::GpuProcess process;
        process.pid = 100000 + p;
        process.gpu_index = p % gpus;
        process.memory_used_bytes = (next(state) % 40000) * (1ULL << 20);
        process.sm_percent = next(state) % 101;
        process.container_id = s.containers[p % containers].id;
        s.gpu_processes.push_back(process);
    }
    return s;
}

class Provider : public sampling::SnapshotProvider {
public:
    model::SnapshotPtr latest() const override { return snapshot_; }
    bool touch() override { return false; }
    bool paused() const override { return false; }
    void add_listener(Listener) override {}
    void publish(model::SnapshotPtr snapshot) { snapshot_ = std::move(snapshot); }

private:
    model::SnapshotPtr snapshot_;
};

const model::Snapshot& snapshot100() {
    static const model::Snapshot s = fleet_snapshot(100, 8, 16);
    return s;
}

void BM_QueryJson(benchmark::State& state) {
    std::size_t bytes = 0;
    for (auto _ : state) bytes = exporters::to_query_json(snapshot100()).size();
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_QueryJson)->Unit(benchmark::kMicrosecond);

void BM_ApiJson(benchmark::State& state) {
    std::size_t bytes = 0;
    for (auto _ : state) bytes = exporters::to_api_json(snapshot100()).size();
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ApiJson)->Unit(benchmark::kMicrosecond);

// What one sample costs the server at this load: the /query body, the API JSON and the SSE frame made
// from it, through the router and its body cache (a new sequence each time: every body is built). With
// argument 1 the frame is the one the page's stream (?delta=1) gets: the delta from the sequence before,
// here with every container unchanged (an idle server).
void BM_ServeOneSample(benchmark::State& state) {
    const bool delta = state.range(0) == 1;
    Provider provider;
    const http::Router router(http::RouterOptions{}, provider);
    auto snapshot = std::make_shared<model::Snapshot>(snapshot100());
    http::Request query;
    query.method = "GET";
    query.path = "/query";
    std::size_t bytes = 0;
    for (auto _ : state) {
        ++snapshot->sequence;
        provider.publish(snapshot);
        const http::Response response = router(query);
        const http::EventFrame frame =
            router.latest_event(delta ? std::optional(snapshot->sequence - 1) : std::nullopt);
        bytes = response.payload().size() + frame.size();
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ServeOneSample)->ArgName("delta")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
