// Primary IPv4 selection from parsed /proc/net/route and /proc/net/fib_trie. Pure: no I/O.
#include "sources/host/primary_ipv4.hpp"

#include <bit>

namespace cmon::sources {

namespace {

constexpr std::uint32_t kRtfUp = 0x1;
constexpr int kMinSharedPrefixBits = 8;

bool is_loopback(std::uint32_t address) { return (address >> 24) == 127; }

const RouteEntry* default_route(const std::vector<RouteEntry>& routes) {
    const RouteEntry* best = nullptr;
    for (const auto& route : routes) {
        if (route.destination != 0 || route.mask != 0 || (route.flags & kRtfUp) == 0) continue;
        if (best == nullptr || route.metric < best->metric) best = &route;
    }
    return best;
}

std::optional<std::uint32_t> in_connected_subnet(const std::vector<RouteEntry>& routes, const RouteEntry& via,
                                                 const std::vector<std::uint32_t>& local_addresses) {
    for (std::uint32_t address : local_addresses) {
        for (const auto& route : routes) {
            if (route.interface != via.interface || route.gateway != 0 || route.mask == 0) continue;
            if ((address & route.mask) == (route.destination & route.mask)) return address;
        }
    }
    return std::nullopt;
}

std::optional<std::uint32_t> nearest_to_gateway(std::uint32_t gateway,
                                                const std::vector<std::uint32_t>& local_addresses) {
    std::optional<std::uint32_t> best;
    int best_bits = kMinSharedPrefixBits - 1;
    for (std::uint32_t address : local_addresses) {
        if (is_loopback(address)) continue;
        int shared = std::countl_zero(address ^ gateway);
        if (shared > best_bits) {
            best_bits = shared;
            best = address;
        }
    }
    return best;
}

}  // namespace

std::optional<std::uint32_t> choose_primary_ipv4(const std::vector<RouteEntry>& routes,
                                                 const std::vector<std::uint32_t>& local_addresses) {
    const RouteEntry* route = default_route(routes);
    if (route == nullptr) return std::nullopt;
    if (auto address = in_connected_subnet(routes, *route, local_addresses)) return address;
    if (route->gateway == 0) return std::nullopt;
    return nearest_to_gateway(route->gateway, local_addresses);
}

std::string format_ipv4(std::uint32_t address) {
    return std::to_string(address >> 24) + '.' + std::to_string((address >> 16) & 0xff) + '.' +
           std::to_string((address >> 8) & 0xff) + '.' + std::to_string(address & 0xff);
}

}  // namespace cmon::sources
