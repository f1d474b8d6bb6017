// Cost of one container's cgroup read (locate + all stat files) over the checked-in v1 fixture tree.
// Measures only; correctness lives in tests/unit/cgroup.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "sources/cgroup/cgroup_reader.hpp"

namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

cmon::sources::HostPaths v1_fixture() {
    const std::filesystem::path root = std::filesystem::path(CMON_FIXTURES_DIR) / "cgroup" / "v1-cgroupfs";
    cmon::sources::HostPaths paths;
    paths.proc = root / "proc";
    paths.cgroup_root = root / "sys" / "fs" / "cgroup";
    return paths;
}

void BM_ReadContainerV1ThroughProc(benchmark::State& state) {
    const cmon::sources::CgroupReader reader(v1_fixture());
    for (auto _ : state) benchmark::DoNotOptimize(reader.read_container(kId, 4242));
}
BENCHMARK(BM_ReadContainerV1ThroughProc);

void BM_ReadContainerV1ByDockerPath(benchmark::State& state) {
    const cmon::sources::CgroupReader reader(v1_fixture());
    for (auto _ : state) benchmark::DoNotOptimize(reader.read_container(kId, std::nullopt));
}
BENCHMARK(BM_ReadContainerV1ByDockerPath);

}  // namespace

BENCHMARK_MAIN();
