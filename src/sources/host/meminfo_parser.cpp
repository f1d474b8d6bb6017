// Parser for /proc/meminfo (Documentation/filesystems/proc.rst, "meminfo"). Values are "<n> kB" where the
// kernel's kB means KiB; a value without a unit is taken as a plain count. Pure: no I/O.
#include "sources/host/meminfo_parser.hpp"

#include <cstdint>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

std::optional<std::uint64_t> parse_value(std::string_view rest) {
    auto fields = util::split_whitespace(rest);
    if (fields.empty() || fields.size() > 2) return std::nullopt;
    auto value = util::parse_u64(fields[0]);
    if (!value) return std::nullopt;
    if (fields.size() == 1) return value;
    if (fields[1] != "kB") return std::nullopt;
    if (*value > UINT64_MAX / 1024) return std::nullopt;
    return *value * 1024;
}

std::optional<std::uint64_t>* field_for(MemInfo& info, std::string_view key) {
    if (key == "MemTotal") return &info.total_bytes;
    if (key == "MemAvailable") return &info.available_bytes;
    if (key == "MemFree") return &info.free_bytes;
    if (key == "Buffers") return &info.buffers_bytes;
    if (key == "Cached") return &info.cached_bytes;
    if (key == "SwapTotal") return &info.swap_total_bytes;
    if (key == "SwapFree") return &info.swap_free_bytes;
    return nullptr;
}

}  // namespace

std::optional<std::uint64_t> MemInfo::available_or_estimate() const {
    if (available_bytes) return available_bytes;
    if (!free_bytes || !buffers_bytes || !cached_bytes) return std::nullopt;
    std::uint64_t sum = *free_bytes;
    for (std::uint64_t part : {*buffers_bytes, *cached_bytes}) {
        if (sum > UINT64_MAX - part) return std::nullopt;
        sum += part;
    }
    return sum;
}

MemInfo parse_meminfo(std::string_view text) {
    MemInfo info;
    for (std::string_view line : util::split_lines(text)) {
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto* field = field_for(info, util::trim(line.substr(0, colon)));
        if (field == nullptr) continue;
        *field = parse_value(line.substr(colon + 1));
    }
    return info;
}

}  // namespace cmon::sources
