// Parser for /proc/net/dev (host or /proc/<pid>/net/dev of a container) and the host's interface filter.
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

struct NetDevEntry {
    std::string name;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t rx_packets = 0;
    std::uint64_t rx_errors = 0;
    std::uint64_t rx_dropped = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_errors = 0;
    std::uint64_t tx_dropped = 0;
};

struct NetTotals {
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
};

// One entry per interface line; the two header lines and malformed lines are skipped.
std::vector<NetDevEntry> parse_net_dev(std::string_view text);

// True for loopback and for interfaces whose traffic is already counted on another interface of the host:
// container veth pairs, bridges, overlay/CNI devices, ifb mirrors, tunnels (tun/tap/wg/tunl carry traffic
// that also crosses a physical NIC, encapsulated). We count the host's edge once.
bool is_virtual_interface(std::string_view name);

// Sum over the interfaces that are not virtual (wraps like the kernel counters themselves).
NetTotals sum_physical_interfaces(const std::vector<NetDevEntry>& entries);

}  // namespace cmon::sources
