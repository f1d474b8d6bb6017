// Parser for /proc/meminfo: the few keys the host view needs, converted from kB to bytes. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cmon::sources {

struct MemInfo {
    std::optional<std::uint64_t> total_bytes;      // MemTotal
    std::optional<std::uint64_t> available_bytes;  // MemAvailable (kernels >= 3.14)
    std::optional<std::uint64_t> free_bytes;       // MemFree
    std::optional<std::uint64_t> buffers_bytes;    // Buffers
    std::optional<std::uint64_t> cached_bytes;     // Cached
    std::optional<std::uint64_t> swap_total_bytes;  // SwapTotal
    std::optional<std::uint64_t> swap_free_bytes;   // SwapFree

    // MemAvailable, or MemFree+Buffers+Cached on kernels without it (the pre-3.14 estimate of `free`).
    std::optional<std::uint64_t> available_or_estimate() const;
};

MemInfo parse_meminfo(std::string_view text);

}  // namespace cmon::sources
