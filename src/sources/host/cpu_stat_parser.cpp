// Parser for /proc/stat (Documentation/filesystems/proc.rst, "1.7 Miscellaneous kernel statistics").
// Pure: no I/O.
#include "sources/host/cpu_stat_parser.hpp"

#include <array>
#include <cstdint>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

// Column order of the cpu lines: user nice system idle iowait irq softirq steal guest guest_nice.
enum Column : std::size_t { kUser, kNice, kSystem, kIdle, kIowait, kIrq, kSoftirq, kSteal, kColumns };

bool add(std::uint64_t& sum, std::uint64_t value) {
    if (sum > UINT64_MAX - value) return false;
    sum += value;
    return true;
}

// Older kernels print fewer columns; at least user nice system idle must be there, the rest default to 0.
std::optional<model::CpuTimes> parse_cpu_line(const std::vector<std::string_view>& fields) {
    if (fields.size() < 1 + kIowait) return std::nullopt;
    std::array<std::uint64_t, kColumns> values{};
    for (std::size_t i = 0; i < kColumns && i + 1 < fields.size(); ++i) {
        auto value = util::parse_u64(fields[i + 1]);
        if (!value) return std::nullopt;
        values[i] = *value;
    }
    model::CpuTimes times;
    for (std::size_t column : {kUser, kNice, kSystem, kIrq, kSoftirq, kSteal}) {
        if (!add(times.busy_ticks, values[column])) return std::nullopt;
    }
    times.total_ticks = times.busy_ticks;
    if (!add(times.total_ticks, values[kIdle]) || !add(times.total_ticks, values[kIowait])) return std::nullopt;
    return times;
}

bool is_per_cpu_label(std::string_view label) {
    if (label.size() <= 3 || !label.starts_with("cpu")) return false;
    return util::parse_u64(label.substr(3)).has_value();
}

}  // namespace

CpuStat parse_cpu_stat(std::string_view text) {
    CpuStat out;
    unsigned count = 0;
    for (std::string_view line : util::split_lines(text)) {
        // Only "cpu" lines count; the others are not split at all. "intr" holds a count for every
        // interrupt the machine has: hundreds of fields here, thousands on a large server, every sample.
        if (!line.starts_with("cpu")) continue;
        auto fields = util::split_whitespace(line);
        if (fields.empty()) continue;
        if (fields[0] == "cpu") {
            if (!out.times) out.times = parse_cpu_line(fields);
        } else if (is_per_cpu_label(fields[0])) {
            ++count;
        }
    }
    if (count > 0) out.cpu_count = count;
    return out;
}

}  // namespace cmon::sources
