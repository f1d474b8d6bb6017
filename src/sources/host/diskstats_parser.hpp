// Parser for /proc/diskstats and the whole-disk sum. Which devices are whole disks is a fact about /sys,
// passed in by the caller. Pure: no I/O.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

struct DiskStatsEntry {
    std::string name;
    std::uint64_t sectors_read = 0;
    std::uint64_t sectors_written = 0;
};

struct DiskTotals {
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;
};

// One entry per well-formed device line; malformed lines are skipped.
std::vector<DiskStatsEntry> parse_diskstats(std::string_view text);

// Whether a /sys/block entry counts as a disk of its own: loop, ram and zram devices are not disks, and
// dm-* / md* are stacked on disks that are already counted.
bool is_counted_block_device(std::string_view name);

// Sum over the entries named in whole_disks; diskstats sectors are always 512 bytes
// (Documentation/admin-guide/iostats.rst), whatever the device's own sector size.
DiskTotals sum_whole_disks(const std::vector<DiskStatsEntry>& entries,
                           const std::set<std::string, std::less<>>& whole_disks);

}  // namespace cmon::sources
