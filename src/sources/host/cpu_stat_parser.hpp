// Parser for /proc/stat: the aggregate "cpu" line and the number of "cpuN" lines. Pure: no I/O.
#pragma once

#include <optional>
#include <string_view>

#include "model/snapshot.hpp"

namespace cmon::sources {

struct CpuStat {
    std::optional<model::CpuTimes> times;  // from the aggregate "cpu " line
    std::optional<unsigned> cpu_count;     // number of "cpuN" lines; empty when there are none
};

// busy = user+nice+system+irq+softirq+steal; total = busy+idle+iowait. guest/guest_nice are already
// included in user/nice by the kernel (kernel/sched/cputime.c account_guest_time), so they are not added.
CpuStat parse_cpu_stat(std::string_view text);

}  // namespace cmon::sources
