// Cost of one AMD/Intel GPU sample (DrmBackend::sample: card sysfs + the <proc> sweep + fdinfo reads + KFD)
// at 1000 host processes of which 10 are GPU clients, in steady state (the per-pid cache warm), plus the
// same against this machine's real /proc (whatever runs here) for scale. Issue 14's target: <= 0.3 ms CPU
// per sample. Measures only; correctness lives in tests/unit/gpu.
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "sources/gpu/drm/drm_backend.hpp"

namespace {

namespace fs = std::filesystem;

// A host of `processes` pids with a few ordinary fds each; `clients` of them also hold a render node.
fs::path make_host(unsigned processes, unsigned clients) {
    const fs::path root = fs::temp_directory_path() / ("cmon-drm-bench-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    fs::copy(fs::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "sys", root / "sys",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (unsigned i = 0; i < processes; ++i) {
        const fs::path pid = root / "proc" / std::to_string(10000 + i);
        fs::create_directories(pid / "fd");
        fs::create_directories(pid / "fdinfo");
        std::ofstream(pid / "stat") << (10000 + i) << " (worker) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " << 5000 + i
                                    << " 0 0\n";
        fs::create_symlink("/dev/null", pid / "fd" / "0");
        fs::create_symlink("pipe:[" + std::to_string(7000 + i) + "]", pid / "fd" / "1");
        fs::create_symlink("socket:[" + std::to_string(9000 + i) + "]", pid / "fd" / "2");
        if (i % (processes / clients) != 0) continue;
        fs::create_symlink("/dev/dri/renderD128", pid / "fd" / "5");
        std::ofstream(pid / "fdinfo" / "5")
            << "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1104\ndrm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\n"
            << "drm-client-id:\t" << 100 + i << "\npasid:\t" << 32800 + i
            << "\ndrm-total-vram:\t1048576 KiB\ndrm-resident-vram:\t1048576 KiB\ndrm-total-gtt:\t2 MiB\n"
            << "drm-resident-gtt:\t2 MiB\ndrm-engine-gfx:\t" << 1000000 * i << " ns\ndrm-engine-compute:\t0 ns\n";
    }
    return root;
}

void BM_DrmSample1000Processes10Clients(benchmark::State& state) {
    const fs::path root = make_host(1000, 10);
    cmon::sources::HostPaths paths;
    paths.proc = root / "proc";
    paths.sys = root / "sys";
    cmon::util::RealClock clock;
    cmon::sources::DrmBackend backend(paths, clock);
    backend.sample();  // fills the per-pid cache, as after the first tick
    std::size_t processes = 0;
    for (auto _ : state) {
        auto sample = backend.sample();
        processes = sample.processes.size();
        benchmark::DoNotOptimize(sample);
    }
    state.counters["gpu_processes"] = static_cast<double>(processes);
    fs::remove_all(root);
}
BENCHMARK(BM_DrmSample1000Processes10Clients)->Unit(benchmark::kMicrosecond);

// The parts of that sample: the <proc> sweep alone, and the card's sysfs/hwmon reads alone.
void BM_DrmProcessScan1000Processes10Clients(benchmark::State& state) {
    const fs::path root = make_host(1000, 10);
    cmon::sources::DrmProcessReader reader(root / "proc");
    reader.scan();
    for (auto _ : state) benchmark::DoNotOptimize(reader.scan());
    fs::remove_all(root);
}
BENCHMARK(BM_DrmProcessScan1000Processes10Clients)->Unit(benchmark::kMicrosecond);

void BM_DrmDeviceRead(benchmark::State& state) {
    cmon::sources::DrmDeviceReader reader(fs::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "sys");
    const auto cards = reader.discover();
    std::int64_t now = 0;
    for (auto _ : state) {
        cmon::model::GpuDevice device;
        reader.read(cards.front(), now += 1'000'000'000, device);
        benchmark::DoNotOptimize(device);
    }
}
BENCHMARK(BM_DrmDeviceRead)->Unit(benchmark::kMicrosecond);

// The first tick (every pid's fd directory listed and every link read): paid once at start.
void BM_DrmSampleColdCache(benchmark::State& state) {
    const fs::path root = make_host(1000, 10);
    cmon::sources::HostPaths paths;
    paths.proc = root / "proc";
    paths.sys = root / "sys";
    cmon::util::RealClock clock;
    for (auto _ : state) {
        cmon::sources::DrmBackend backend(paths, clock);
        benchmark::DoNotOptimize(backend.sample());
    }
    fs::remove_all(root);
}
BENCHMARK(BM_DrmSampleColdCache)->Unit(benchmark::kMicrosecond);

// The real /proc of this machine (procfs fstatat costs differ from a file tree's) with the fixture card.
void BM_DrmSampleRealProc(benchmark::State& state) {
    cmon::sources::HostPaths paths;
    paths.proc = "/proc";
    paths.sys = fs::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "sys";
    cmon::util::RealClock clock;
    cmon::sources::DrmBackend backend(paths, clock);
    auto first = backend.sample();
    for (auto _ : state) benchmark::DoNotOptimize(backend.sample());
    state.counters["host_processes"] = static_cast<double>(std::distance(fs::directory_iterator("/proc"), {}));
}
BENCHMARK(BM_DrmSampleRealProc)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
