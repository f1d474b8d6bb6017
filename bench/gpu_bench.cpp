// Cost of one GPU tick: NvmlBackend::sample() against the stand-in libnvidia-ml.so.1 (8 GPUs x N processes;
// the fake's own JSON handling is included, so this is an upper bound of our side), the cgroup id parser,
// and GpuAttributor over the checked-in /proc fixture. Measures only; correctness lives in tests/unit.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "attribution/cgroup_id_parser.hpp"
#include "attribution/gpu_attributor.hpp"
#include "sources/gpu/nvml/nvml_backend.hpp"

namespace {

namespace fs = std::filesystem;

void write_scenario(unsigned gpus, unsigned processes_per_gpu) {
    nlohmann::json root{{"gpus", nlohmann::json::array()}};
    for (unsigned g = 0; g < gpus; ++g) {
        nlohmann::json gpu{{"name", "NVIDIA H100 80GB HBM3"},
                           {"uuid", "GPU-" + std::to_string(g)},
                           {"memory_total", 85899345920ULL},
                           {"memory_used", 1ULL << 33},
                           {"util", 50},
                           {"temperature", 60},
                           {"power_mw", 300000},
                           {"power_limit_mw", 700000},
                           {"mig", false},
                           {"processes", nlohmann::json::array()}};
        for (unsigned p = 0; p < processes_per_gpu; ++p) {
            gpu["processes"].push_back(
                {{"pid", 10000 + g * 1000 + p}, {"used_memory", 1ULL << 30}, {"sm_util", p % 100}});
        }
        root["gpus"].push_back(gpu);
    }
    const fs::path path = fs::temp_directory_path() / ("cmon-gpu-bench-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << root.dump();
    ::setenv("CMON_FAKE_NVML_SCENARIO", path.c_str(), 1);
}

void BM_NvmlSample(benchmark::State& state) {
    write_scenario(8, static_cast<unsigned>(state.range(0)));
    cmon::sources::NvmlBackend backend(CMON_FAKE_NVML_PATH);
    for (auto _ : state) benchmark::DoNotOptimize(backend.sample());
}
BENCHMARK(BM_NvmlSample)->Arg(0)->Arg(8)->Arg(64);

void BM_ContainerIdFromCgroupV1(benchmark::State& state) {
    const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    std::string text;
    for (int controller = 12; controller > 0; --controller) {
        text += std::to_string(controller) + ":memory:/docker/" + id + "\n";
    }
    for (auto _ : state) benchmark::DoNotOptimize(cmon::attribution::container_id_from_cgroup(text));
}
BENCHMARK(BM_ContainerIdFromCgroupV1);

void BM_AttributeCachedFixture(benchmark::State& state) {
    cmon::sources::HostPaths paths;
    paths.proc = fs::path(CMON_FIXTURES_DIR) / "attribution" / "proc";
    cmon::attribution::GpuAttributor attributor(paths);
    cmon::model::Snapshot draft;
    for (unsigned pid : {4101U, 4102U, 4103U, 4104U}) {
        cmon::model::GpuProcess process;
        process.pid = pid;
        draft.gpu_processes.push_back(process);
    }
    for (auto _ : state) attributor.attribute(draft);
}
BENCHMARK(BM_AttributeCachedFixture);

}  // namespace

BENCHMARK_MAIN();
