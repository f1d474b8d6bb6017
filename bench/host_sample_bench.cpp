// Cost of one full host sample (HostSource::collect on this machine's real /proc and /sys) and of the
// parsers alone on the checked-in debian12-vm capture, so a regression can be told apart from slow I/O.
#include <benchmark/benchmark.h>

#include "sources/host/cpu_stat_parser.hpp"
#include "sources/host/host_source.hpp"
#include "sources/host/meminfo_parser.hpp"
#include "sources/host/mountinfo_parser.hpp"
#include "util/file.hpp"

namespace {

void BM_HostSample(benchmark::State& state) {
    cmon::sources::HostSource source{cmon::sources::HostPaths{}};
    for (auto _ : state) {
        cmon::model::Snapshot draft;
        source.collect(draft);
        benchmark::DoNotOptimize(draft.host.cpu_times.total_ticks);
    }
}
BENCHMARK(BM_HostSample)->Unit(benchmark::kMicrosecond);

void BM_ParseStatMeminfoMountinfo(benchmark::State& state) {
    cmon::sources::HostPaths paths;
    auto stat = cmon::util::read_text_file(paths.proc / "stat").value_or("");
    auto meminfo = cmon::util::read_text_file(paths.proc / "meminfo").value_or("");
    auto mountinfo = cmon::util::read_text_file(paths.proc / "self" / "mountinfo").value_or("");
    for (auto _ : state) {
        benchmark::DoNotOptimize(cmon::sources::parse_cpu_stat(stat));
        benchmark::DoNotOptimize(cmon::sources::parse_meminfo(meminfo));
        benchmark::DoNotOptimize(cmon::sources::select_disk_mounts(cmon::sources::parse_mountinfo(mountinfo)));
    }
}
BENCHMARK(BM_ParseStatMeminfoMountinfo)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
