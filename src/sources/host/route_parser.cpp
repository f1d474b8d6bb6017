// Parser for /proc/net/route (net/ipv4/fib_trie.c fib_route_seq_show):
//   Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
// Pure: no I/O.
#include "sources/host/route_parser.hpp"

#include <charconv>
#include <optional>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

enum Column : std::size_t { kIface, kDestination, kGateway, kFlags, kRefCnt, kUse, kMetric, kMask, kMinColumns };

std::optional<std::uint32_t> parse_hex_u32(std::string_view text) {
    std::uint32_t value = 0;
    if (text.empty() || text.size() > 8) return std::nullopt;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

// Little-endian in-memory u32 -> first octet in the top byte.
std::uint32_t from_le_hex_value(std::uint32_t raw) {
    return ((raw & 0xffU) << 24) | ((raw & 0xff00U) << 8) | ((raw >> 8) & 0xff00U) | (raw >> 24);
}

}  // namespace

std::vector<RouteEntry> parse_route(std::string_view text) {
    std::vector<RouteEntry> out;
    for (std::string_view line : util::split_lines(text)) {
        auto fields = util::split_whitespace(line);
        if (fields.size() < kMinColumns) continue;
        auto destination = parse_hex_u32(fields[kDestination]);
        auto gateway = parse_hex_u32(fields[kGateway]);
        auto flags = parse_hex_u32(fields[kFlags]);
        auto mask = parse_hex_u32(fields[kMask]);
        auto metric = util::parse_u64(fields[kMetric]);
        if (!destination || !gateway || !flags || !mask || !metric || *metric > UINT32_MAX) continue;
        RouteEntry entry;
        entry.interface = std::string(fields[kIface]);
        entry.destination = from_le_hex_value(*destination);
        entry.gateway = from_le_hex_value(*gateway);
        entry.mask = from_le_hex_value(*mask);
        entry.flags = *flags;
        entry.metric = static_cast<std::uint32_t>(*metric);
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace cmon::sources
