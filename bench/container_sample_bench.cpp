// Cost of one full container sample: ContainerSource::collect against a real dockerd (DOCKER_HOST) with the
// containers that run there, usage read from this host's cgroup files. Measures process CPU time (all
// threads), not just wall time. bench/compare_docker_stats.sh starts the daemon and the containers and puts
// `docker stats --no-stream` on the same containers next to these numbers.
//
// Environment:
//   DOCKER_HOST              the daemon to sample (required: without it the benchmark reports an error)
//   CMON_BENCH_DAEMON_PIDS   optional comma-separated pids (dockerd, containerd, shims): their CPU time during
//                            the timed loop is reported per sample as daemon_cpu_ms, so the Docker side of a
//                            sample (the container list) is counted too
//
// Counters: containers (rows per sample), cgroup_rows (rows whose CPU time came from cgroup files),
// daemon_cpu_ms (per sample, 10 ms tick resolution spread over all iterations), files (kept descriptors read
// per pass in BM_PartKeptOpenReads), io_uring (1: the kept cgroup files were read through io_uring).
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/fd_limit.hpp"
#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/docker/container_source.hpp"
#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "util/error.hpp"

namespace {

std::vector<int> daemon_pids() {
    std::vector<int> pids;
    const char* env = std::getenv("CMON_BENCH_DAEMON_PIDS");
    if (env == nullptr) return pids;
    std::stringstream in(env);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) pids.push_back(std::stoi(item));
    }
    return pids;
}

// utime + stime of the processes, in clock ticks (proc(5) fields 14 and 15, after the ")" of comm).
long long cpu_ticks(const std::vector<int>& pids) {
    long long total = 0;
    for (int pid : pids) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(text.substr(close + 2));
        std::string skip;
        for (int i = 3; i <= 13; ++i) fields >> skip;  // state .. cmajflt
        long long utime = 0;
        long long stime = 0;
        fields >> utime >> stime;
        total += utime + stime;
    }
    return total;
}

bool docker_host_set(benchmark::State& state) {
    if (std::getenv("DOCKER_HOST") == nullptr) {
        state.SkipWithError("DOCKER_HOST is not set (run bench/compare_docker_stats.sh)");
        return false;
    }
    return true;
}

void report_rows(benchmark::State& state, const cmon::model::Snapshot& draft) {
    double cgroup_rows = 0;
    for (const auto& row : draft.containers) cgroup_rows += row.cpu_time_ns_total && row.memory_usage_bytes ? 1 : 0;
    state.counters["containers"] = static_cast<double>(draft.containers.size());
    state.counters["cgroup_rows"] = cgroup_rows;
}

// The options as the monitor gives them: its share of the raised descriptor limit for kept files. With
// the library's default (1024) a host with 100 containers keeps the files of only ~70 of them, and the
// source then lists at every sample (a container without kept files is checked through a list).
cmon::sources::ContainerSourceOptions monitor_options() {
    cmon::sources::ContainerSourceOptions options;
    options.keep_open_files = cmon::app::descriptor_budget(1024, cmon::app::raise_fd_limit()).container_files;
    return options;
}

void sample_repeatedly(benchmark::State& state, const cmon::sources::ContainerSourceOptions& options) {
    if (!docker_host_set(state)) return;
    cmon::sources::ContainerSource source{cmon::sources::HostPaths{}, options};
    cmon::model::Snapshot draft;
    try {
        source.collect(draft);  // first sample inspects every container; not timed here
        source.collect(draft);  // second: watches the init processes, stamps the cgroup parents
    } catch (const cmon::util::Error& e) {
        state.SkipWithError(e.what());
        return;
    }
    const auto pids = daemon_pids();
    const long long ticks_before = cpu_ticks(pids);
    for (auto _ : state) {
        draft = cmon::model::Snapshot{};
        source.collect(draft);
        benchmark::DoNotOptimize(draft.containers.data());
    }
    const long long ticks = cpu_ticks(pids) - ticks_before;
    report_rows(state, draft);
    state.counters["io_uring"] = source.reads_with_io_uring() ? 1 : 0;
    if (!pids.empty()) {
        const double ms = 1000.0 * static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
        state.counters["daemon_cpu_ms"] = ms / static_cast<double>(state.iterations());
    }
}

// Steady state: one ContainerSource sampling again and again, as the monitor does every interval (inspect
// results cached; the container list reused while nothing says it changed, the daemon's event log asked
// every kListRefresh, a full list every kListRefreshMax: samples here are back to back, so the timed
// loop, ~2 s, holds at most one event-log check and no list).
void BM_ContainerSample(benchmark::State& state) { sample_repeatedly(state, monitor_options()); }
BENCHMARK(BM_ContainerSample)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime()->MinTime(2.0);

// The steady state with one pread per kept file instead of io_uring batches: what a sample costs where
// io_uring is unavailable or refused (kernel.io_uring_disabled, Docker's seccomp profile since 25.0).
void BM_ContainerSamplePread(benchmark::State& state) {
    auto options = monitor_options();
    options.file_reads = cmon::sources::KernelFileBatch::Mode::pread_only;
    sample_repeatedly(state, options);
}
BENCHMARK(BM_ContainerSamplePread)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime()->MinTime(2.0);

// The steady state with the event-log check (GET /events for the window since the last check) at every
// sample: what the sample in every kListRefresh that asks the daemon costs.
void BM_ContainerSampleEventCheck(benchmark::State& state) {
    auto options = monitor_options();
    options.list_refresh = std::chrono::milliseconds{1};
    sample_repeatedly(state, options);
}
BENCHMARK(BM_ContainerSampleEventCheck)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->MinTime(2.0);

// The same with the container list fetched at every sample (list_refresh 0): what a sample cost before the
// list was reused, and what the sample that fetches it (every kListRefresh) costs now.
void BM_ContainerSampleListing(benchmark::State& state) {
    auto options = monitor_options();
    options.list_refresh = std::chrono::milliseconds{0};
    sample_repeatedly(state, options);
}
BENCHMARK(BM_ContainerSampleListing)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->MinTime(2.0);

// Cold start: a new ContainerSource, so every container is inspected once (the monitor's first sample).
void BM_ContainerSampleCold(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    cmon::model::Snapshot draft;
    for (auto _ : state) {
        cmon::sources::ContainerSource source{cmon::sources::HostPaths{}, monitor_options()};
        draft = cmon::model::Snapshot{};
        try {
            source.collect(draft);
        } catch (const cmon::util::Error& e) {
            state.SkipWithError(e.what());
            return;
        }
        benchmark::DoNotOptimize(draft.containers.data());
    }
    report_rows(state, draft);
}
BENCHMARK(BM_ContainerSampleCold)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// The parts of a steady-state sample, to tell which one a regression is in.

// GET /containers/json over the socket (no parsing).
void BM_PartDockerList(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    cmon::sources::DockerClient client{cmon::sources::docker_host_from_environment("")};
    std::size_t bytes = 0;
    for (auto _ : state) bytes = client.get(cmon::sources::DockerRequest::containers_list()).body.size();
    state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_PartDockerList)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime()->UseRealTime();

// Parsing that response.
void BM_PartParseList(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    cmon::sources::DockerClient client{cmon::sources::docker_host_from_environment("")};
    const std::string body = client.get(cmon::sources::DockerRequest::containers_list()).body;
    for (auto _ : state) benchmark::DoNotOptimize(cmon::sources::parse_container_list(body, {}));
}
BENCHMARK(BM_PartParseList)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

// The cgroup (and /proc/<pid>/cgroup) reads of every running container, no Docker call.
void BM_PartCgroupReads(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    cmon::sources::ContainerSource source{cmon::sources::HostPaths{}, monitor_options()};
    cmon::model::Snapshot draft;
    source.collect(draft);
    const cmon::sources::CgroupReader reader{cmon::sources::HostPaths{}};
    for (auto _ : state) {
        for (const auto& row : draft.containers) benchmark::DoNotOptimize(reader.read_container(row.id, row.init_pid));
    }
}
BENCHMARK(BM_PartCgroupReads)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

// The files a steady-state sample reads, opened once for every running container: its cgroup files and
// /proc/<pid>/net/dev.
struct KeptFiles {
    std::vector<cmon::sources::CgroupHandle> handles;
    std::vector<cmon::sources::KernelFile> net_devs;
};

KeptFiles open_kept_files() {
    cmon::sources::ContainerSource source{cmon::sources::HostPaths{}, monitor_options()};
    cmon::model::Snapshot draft;
    source.collect(draft);
    const cmon::sources::CgroupReader reader{cmon::sources::HostPaths{}};
    KeptFiles kept;
    for (const auto& row : draft.containers) {
        kept.handles.push_back(reader.open_container(row.id, row.init_pid));
        if (row.init_pid) {
            kept.net_devs.push_back(
                cmon::sources::KernelFile::open("/proc/" + std::to_string(*row.init_pid) + "/net/dev"));
        }
    }
    return kept;
}

// Those files read through their kept descriptors, one pread each, nothing else: no Docker, no rows.
void BM_PartKeptOpenReads(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    auto [handles, net_devs] = open_kept_files();
    std::string buffer;
    for (auto _ : state) {
        for (auto& handle : handles) benchmark::DoNotOptimize(handle.read());
        for (const auto& file : net_devs) benchmark::DoNotOptimize(file.read(buffer));
    }
    std::size_t files = net_devs.size();
    for (const auto& handle : handles) files += handle.open_files();
    state.counters["files"] = static_cast<double>(files);
}
BENCHMARK(BM_PartKeptOpenReads)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

// The same files read in one KernelFileBatch (io_uring), as a sample reads them: the floor of a sample.
void BM_PartKeptOpenReadsBatched(benchmark::State& state) {
    if (!docker_host_set(state)) return;
    auto [handles, net_devs] = open_kept_files();
    cmon::sources::KernelFileBatch batch;
    std::vector<cmon::sources::KernelFileBatch::Ticket> net_dev_tickets(net_devs.size());
    for (auto _ : state) {
        batch.clear();
        for (auto& handle : handles) handle.queue(batch);
        for (std::size_t i = 0; i < net_devs.size(); ++i) net_dev_tickets[i] = batch.add(net_devs[i]);
        batch.run();
        for (auto& handle : handles) benchmark::DoNotOptimize(handle.read(&batch));
        for (const auto& ticket : net_dev_tickets) benchmark::DoNotOptimize(batch.text(ticket));
    }
    state.counters["io_uring"] = batch.uses_ring() ? 1 : 0;
}
BENCHMARK(BM_PartKeptOpenReadsBatched)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
