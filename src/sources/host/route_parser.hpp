// Parser for /proc/net/route (IPv4 routing table, main table only). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

// IPv4 addresses are held as integers with the first octet in the top byte (192.0.2.1 == 0xC0000201).
struct RouteEntry {
    std::string interface;
    std::uint32_t destination = 0;
    std::uint32_t gateway = 0;
    std::uint32_t mask = 0;
    std::uint32_t flags = 0;  // RTF_UP 0x1, RTF_GATEWAY 0x2, RTF_HOST 0x4
    std::uint32_t metric = 0;
};

// One entry per well-formed route line; the header and malformed lines are skipped. The kernel prints
// addresses as the raw in-memory u32 in hex, i.e. byte-reversed on little-endian machines ("010200C0" is
// 192.0.2.1); we assume a little-endian kernel (x86-64, arm64).
std::vector<RouteEntry> parse_route(std::string_view text);

}  // namespace cmon::sources
