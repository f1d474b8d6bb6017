// Parsers for the text formats of cgroup v1 and v2 files and of /proc/<pid>/cgroup. Pure: no I/O.
// Formats: kernel Documentation/admin-guide/cgroup-v2.rst ("Interface Files": flat keyed, nested keyed,
// single value, "max"), Documentation/admin-guide/cgroup-v1/{memory,blkio-controller,cpuacct}.rst, and
// proc(5) for /proc/<pid>/cgroup.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

// Limits at or above this are "no limit". v1 reports an unlimited memory.limit_in_bytes as the page-counter
// maximum rounded to pages (9223372036854771712 with 4 KiB pages, less with larger pages), never 2^63-1 exactly.
inline constexpr std::uint64_t kUnlimitedThreshold = std::uint64_t{1} << 62;

// Flat keyed file ("key value" per line: memory.stat, cpu.stat). Lines whose value is not an unsigned decimal
// are skipped; a repeated key keeps its first value.
std::map<std::string, std::uint64_t, std::less<>> parse_flat_keyed(std::string_view text);
// The value of one key of a flat keyed file without building a map; nullopt when absent or not a number.
std::optional<std::uint64_t> find_flat_keyed(std::string_view text, std::string_view key);

// Single unsigned value (memory.current, memory.usage_in_bytes, pids.current, cpuacct.usage in ns), surrounding
// whitespace allowed. nullopt on empty input or junk.
std::optional<std::uint64_t> parse_single_value(std::string_view text);

// A limit file: v2 memory.max / pids.max ("max" or bytes) or v1 memory.limit_in_bytes (huge = unlimited).
struct CgroupLimit {
    bool unlimited = false;
    std::uint64_t value = 0;  // meaningful only when !unlimited
};
std::optional<CgroupLimit> parse_limit(std::string_view text);

// v2 cpu.stat usage_usec converted to nanoseconds; nullopt when missing or the product overflows.
std::optional<std::uint64_t> parse_cpu_stat_usage_ns(std::string_view text);

// v2 cpu.max: "$MAX $PERIOD" in microseconds, $MAX "max" when unlimited. nullopt on junk.
struct CpuMax {
    std::optional<std::uint64_t> quota_us;  // empty: unlimited
    std::uint64_t period_us = 0;
};
std::optional<CpuMax> parse_cpu_max(std::string_view text);

// v1 cpuacct.stat: "user N\nsystem N" in USER_HZ ticks, converted to nanoseconds with `ticks_per_second`
// (sysconf(_SC_CLK_TCK)). Each is nullopt when its line is missing.
struct CpuUserSystem {
    std::optional<std::uint64_t> user_ns;
    std::optional<std::uint64_t> system_ns;
};
CpuUserSystem parse_cpuacct_stat_ns(std::string_view text, std::uint64_t ticks_per_second);
// v2 cpu.stat user_usec / system_usec in nanoseconds.
CpuUserSystem parse_cpu_stat_user_system_ns(std::string_view text);

// Block I/O bytes summed over all devices.
struct BlockIoBytes {
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;
    std::size_t devices = 0;  // device lines seen; 0 with a valid file means "no I/O accounted here"
};
// v1 blkio.*io_service_bytes*: "MAJ:MIN Read|Write|Sync|Async|Discard|Total N" lines ending in "Total N".
// nullopt when no line parses (empty file, garbage).
std::optional<BlockIoBytes> parse_blkio_service_bytes(std::string_view text);
// v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device. An empty file is valid
// (no I/O yet); nullopt only when there is text and none of it parses.
std::optional<BlockIoBytes> parse_io_stat(std::string_view text);

// One line of /proc/<pid>/cgroup: "hierarchy-id:controller-list:path". v2 (and the hybrid unified hierarchy) is
// "0::/path"; a v1 named hierarchy lists "name=systemd". The path may itself contain ':'.
struct ProcCgroupEntry {
    unsigned hierarchy_id = 0;
    std::vector<std::string> controllers;  // empty for the v2 line
    std::string path;
};
// Malformed lines are skipped.
std::vector<ProcCgroupEntry> parse_proc_cgroup(std::string_view text);
// Path of the v1 hierarchy that carries `controller`, or of the v2 line when `controller` is empty.
std::optional<std::string> find_proc_cgroup_path(const std::vector<ProcCgroupEntry>& entries,
                                                 std::string_view controller);

}  // namespace cmon::sources
