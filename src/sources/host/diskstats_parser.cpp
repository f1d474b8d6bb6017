// Parser for /proc/diskstats (Documentation/admin-guide/iostats.rst):
//   major minor name reads merged sectors_read ms_reading writes merged sectors_written ms_writing ...
// Pure: no I/O.
#include "sources/host/diskstats_parser.hpp"


#include "util/text.hpp"

namespace cmon::sources {

namespace {

constexpr std::size_t kName = 2;
constexpr std::size_t kSectorsRead = 5;
constexpr std::size_t kSectorsWritten = 9;
constexpr std::uint64_t kSectorBytes = 512;

constexpr std::string_view kNotCountedPrefixes[] = {"loop", "ram", "zram", "dm-", "md"};

}  // namespace

std::vector<DiskStatsEntry> parse_diskstats(std::string_view text) {
    std::vector<DiskStatsEntry> out;
    for (std::string_view line : util::split_lines(text)) {
        auto fields = util::split_whitespace(line);
        if (fields.size() <= kSectorsWritten) continue;
        auto read = util::parse_u64(fields[kSectorsRead]);
        auto written = util::parse_u64(fields[kSectorsWritten]);
        if (!read || !written || !util::parse_u64(fields[0]) || !util::parse_u64(fields[1])) continue;
        out.push_back(DiskStatsEntry{std::string(fields[kName]), *read, *written});
    }
    return out;
}

bool is_counted_block_device(std::string_view name) {
    if (name.empty()) return false;
    for (std::string_view prefix : kNotCountedPrefixes) {
        if (name.starts_with(prefix)) return false;
    }
    return true;
}

DiskTotals sum_whole_disks(const std::vector<DiskStatsEntry>& entries,
                           const std::set<std::string, std::less<>>& whole_disks) {
    DiskTotals totals;
    for (const auto& entry : entries) {
        if (!whole_disks.contains(entry.name) || !is_counted_block_device(entry.name)) continue;
        totals.read_bytes += entry.sectors_read * kSectorBytes;
        totals.write_bytes += entry.sectors_written * kSectorBytes;
    }
    return totals;
}

}  // namespace cmon::sources
