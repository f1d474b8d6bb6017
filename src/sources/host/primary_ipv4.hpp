// Chooses the host's primary IPv4 address: the source address of the default route. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sources/host/route_parser.hpp"

namespace cmon::sources {

// The default route (destination 0/0, up) with the lowest metric names the interface; the answer is the
// first local address inside one of that interface's connected subnets (gateway 0). When the interface has
// none that contains a local address (cloud VMs with a /32 address and an on-link gateway), the non-loopback
// local address sharing the longest prefix (at least 8 bits) with the gateway. nullopt when nothing fits.
std::optional<std::uint32_t> choose_primary_ipv4(const std::vector<RouteEntry>& routes,
                                                 const std::vector<std::uint32_t>& local_addresses);

// 0xC0000201 -> "192.0.2.1".
std::string format_ipv4(std::uint32_t address);

}  // namespace cmon::sources
