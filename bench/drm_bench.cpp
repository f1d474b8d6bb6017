// Cost of one AMD/Intel GPU sample (DrmBackend::sample: card sysfs + the <proc> work + fdinfo reads + KFD).
// A component benchmark: the DRM backend alone, not the monitor. Issue 14's target: <= 0.3 ms CPU per
// sample with 1000 processes, 10 of them GPU clients.
//   BM_DrmSampleLiveProc1000Processes10Clients: the real /proc with 1000 live helper processes forked here
//     (they block on a pipe and exit when it closes, so they stop with the bench even if it dies; reaped by
//     PID). Nothing here has /dev/dri, so the 10 "GPU clients" hold an fd on a file named renderD128 in a
//     temporary directory and the reader's dri_prefix points there: the readlink matching, the kept fdinfo
//     and its pread are the real kernel's, but that fdinfo has no drm-* keys (parsed, then not counted as a
//     client). The card is the amdgpu fixture.
//   BM_DrmSample1000Processes10Clients: a generated fixture tree (ext4, not procfs) with the amdgpu
//     fixture's fdinfo, so the clients are parsed and attributed in full.
// Each sample's CPU is the mean over many ticks, laps included. Measures only; correctness lives in
// tests/unit/gpu.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// 1000 live processes (this one's children) of which 10 hold a file named like a render node.
class LiveHost {
public:
    LiveHost(unsigned processes, unsigned clients) {
        dir_ = fs::temp_directory_path() / ("cmon-drm-live-" + std::to_string(::getpid()));
        fs::create_directories(dir_ / "dri");
        std::ofstream(dir_ / "dri" / "renderD128") << "";
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
        for (unsigned i = 0; i < processes; ++i) {
            const bool client = i % (processes / clients) == 0;
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::close(pipe_fds[1]);
                if (client) (void)::open((dir_ / "dri" / "renderD128").c_str(), O_RDONLY);
                ::alarm(900);  // a last resort if the pipe's other end were somehow kept open
                char byte;
                (void)::read(pipe_fds[0], &byte, 1);  // returns when the bench closes (or loses) the write end
                ::_exit(0);
            }
            if (pid > 0) children_.push_back(pid);
        }
        ::close(pipe_fds[0]);
        release_fd_ = pipe_fds[1];
    }
    ~LiveHost() {
        if (release_fd_ >= 0) ::close(release_fd_);
        for (pid_t pid : children_) ::waitpid(pid, nullptr, 0);
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    std::string dri_prefix() const { return (dir_ / "dri").string() + "/"; }
    std::size_t started() const { return children_.size(); }

private:
    fs::path dir_;
    std::vector<pid_t> children_;
    int release_fd_ = -1;
};

void BM_DrmSampleLiveProc1000Processes10Clients(benchmark::State& state) {
    LiveHost host(1000, 10);
    cmon::sources::HostPaths paths;
    paths.proc = "/proc";
    paths.sys = fs::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "sys";
    cmon::util::RealClock clock;
    cmon::sources::DrmProcessReaderOptions options;
    options.dri_prefix = host.dri_prefix();
    cmon::sources::DrmBackend backend(paths, clock, options);
    backend.sample();  // the first tick lists everything
    for (auto _ : state) benchmark::DoNotOptimize(backend.sample());
    state.counters["helpers"] = static_cast<double>(host.started());
    state.counters["host_processes"] = static_cast<double>(std::distance(fs::directory_iterator("/proc"), {}));
}
BENCHMARK(BM_DrmSampleLiveProc1000Processes10Clients)->Unit(benchmark::kMicrosecond);

// Its <proc> part alone, with what one tick does.
void BM_DrmProcessScanLiveProc1000Processes10Clients(benchmark::State& state) {
    LiveHost host(1000, 10);
    cmon::sources::DrmProcessReaderOptions options;
    options.dri_prefix = host.dri_prefix();
    cmon::sources::DrmProcessReader reader("/proc", options);
    reader.scan();
    double checked = 0, listed = 0, drm_fds = 0, ticks = 0;
    for (auto _ : state) {
        auto scan = reader.scan();
        checked += scan.checked;
        listed += scan.listed;
        drm_fds += scan.drm_fds;
        ++ticks;
    }
    state.counters["checked_per_tick"] = checked / ticks;
    state.counters["listed_per_tick"] = listed / ticks;
    state.counters["drm_fds"] = drm_fds / ticks;
    state.counters["known_pids"] = static_cast<double>(reader.cached_pids());
}
BENCHMARK(BM_DrmProcessScanLiveProc1000Processes10Clients)->Unit(benchmark::kMicrosecond);

// What the live bench leaves out: parsing 10 real DRM fdinfo texts (amdgpu, 6.x keys) and turning their
// engine counters into per-engine % (the live clients' fdinfo has no drm-* keys).
void BM_DrmParseAndTrack10Clients(benchmark::State& state) {
    std::vector<std::string> texts;
    for (unsigned i = 0; i < 10; ++i) {
        texts.push_back("pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1104\ndrm-driver:\tamdgpu\n"
                        "drm-pdev:\t0000:03:00.0\ndrm-client-id:\t" + std::to_string(100 + i) +
                        "\npasid:\t32800\ndrm-total-vram:\t1048576 KiB\ndrm-resident-vram:\t1048576 KiB\n"
                        "drm-total-gtt:\t2 MiB\ndrm-resident-gtt:\t2 MiB\ndrm-engine-gfx:\t123456789 ns\n"
                        "drm-engine-compute:\t0 ns\ndrm-engine-dma:\t5000 ns\n");
    }
    cmon::sources::EngineUsageTracker tracker;
    std::int64_t now = 0;
    for (auto _ : state) {
        now += 1'000'000'000;
        for (unsigned i = 0; i < texts.size(); ++i) {
            const auto info = cmon::sources::parse_drm_fdinfo(texts[i]);
            benchmark::DoNotOptimize(tracker.update({"0000:03:00.0", 100 + i}, info.engines, now));
            benchmark::DoNotOptimize(cmon::sources::drm_device_memory_bytes(info));
        }
        tracker.end_tick();
    }
}
BENCHMARK(BM_DrmParseAndTrack10Clients)->Unit(benchmark::kMicrosecond);

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
