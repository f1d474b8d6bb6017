// Tests for parse_route (/proc/net/route), parse_fib_trie_local_addresses (/proc/net/fib_trie) and
// choose_primary_ipv4 on literal text.
#include "sources/host/primary_ipv4.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sources/host/fib_trie_parser.hpp"
#include "sources/host/route_parser.hpp"

namespace cmon::sources {
namespace {

constexpr const char* kRouteHeader =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

// Shape of this VM's fib_trie (tests/fixtures/host/debian12-vm), with a docker bridge added.
constexpr const char* kFibTrie =
    "Main:\n"
    "  +-- 0.0.0.0/0 3 0 5\n"
    "     |-- 0.0.0.0\n"
    "        /0 universe UNICAST\n"
    "     |-- 10.9.9.9\n"
    "        /32 host LOCAL\n"
    "Local:\n"
    "  +-- 0.0.0.0/0 3 0 5\n"
    "     +-- 127.0.0.0/8 2 0 2\n"
    "        +-- 127.0.0.0/31 1 0 0\n"
    "           |-- 127.0.0.0\n"
    "              /8 host LOCAL\n"
    "           |-- 127.0.0.1\n"
    "              /32 host LOCAL\n"
    "     |-- 172.17.0.1\n"
    "        /32 host LOCAL\n"
    "     +-- 192.0.2.0/24 2 0 2\n"
    "           |-- 192.0.2.0\n"
    "              /24 link UNICAST\n"
    "           |-- 192.0.2.2\n"
    "              /32 host LOCAL\n"
    "           |-- 192.0.2.255\n"
    "              /32 link BROADCAST\n";

TEST(RouteParser, Table) {
    struct Case {
        const char* label;
        std::string text;
        std::size_t entries;
    };
    const Case cases[] = {
        {"empty input", "", 0},
        {"header only", kRouteHeader, 0},
        {"no final newline",
         std::string(kRouteHeader) + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0", 1},
        {"trailing spaces", "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0     \n", 1},
        {"too few columns", "eth0\t00000000\t010200C0\t0003\t0\t0\t0\n", 0},
        {"bad hex", "eth0\t0000000G\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", 0},
        {"hex too long", "eth0\t000000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", 0},
        {"metric beyond u32", "eth0\t00000000\t010200C0\t0003\t0\t0\t4294967296\t00000000\t0\t0\t0\n", 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        EXPECT_EQ(parse_route(c.text).size(), c.entries);
    }
}

TEST(RouteParser, DecodesLittleEndianHex) {
    auto routes = parse_route(std::string(kRouteHeader) +
                              "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                              "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    ASSERT_EQ(routes.size(), 2U);
    EXPECT_EQ(routes[0].interface, "eth0");
    EXPECT_EQ(routes[0].gateway, 0xC0000201U);  // 192.0.2.1
    EXPECT_EQ(routes[0].flags, 3U);
    EXPECT_EQ(routes[0].metric, 100U);
    EXPECT_EQ(routes[1].destination, 0xC0000200U);  // 192.0.2.0
    EXPECT_EQ(routes[1].mask, 0xFFFFFF00U);         // /24
}

TEST(FibTrieParser, LocalTableHostAddresses) {
    EXPECT_EQ(parse_fib_trie_local_addresses(kFibTrie),
              (std::vector<std::uint32_t>{0x7F000001U, 0xAC110001U, 0xC0000202U}));
    EXPECT_TRUE(parse_fib_trie_local_addresses("").empty());
    EXPECT_TRUE(parse_fib_trie_local_addresses("Local:\n  |-- 1.2.3\n     /32 host LOCAL\n").empty());
    // No table headers (unknown layout): every host LOCAL leaf counts; no final newline.
    EXPECT_EQ(parse_fib_trie_local_addresses("  |-- 10.0.0.5\n     /32 host LOCAL"),
              (std::vector<std::uint32_t>{0x0A000005U}));
}

TEST(FibTrieParser, Ipv4) {
    EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xFFFFFFFFU);
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "0001.1.1.1", "a.b.c.d"}) {
        EXPECT_FALSE(parse_ipv4(bad)) << bad;
    }
    EXPECT_EQ(format_ipv4(0xC0000202U), "192.0.2.2");
}

std::vector<RouteEntry> routes(const char* body) { return parse_route(std::string(kRouteHeader) + body); }

TEST(PrimaryIpv4, SourceOfTheDefaultRoute) {
    // Default via eth0 (192.0.2.1), docker0 connected 172.17.0.0/16.
    auto table = routes("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
                        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    auto address = choose_primary_ipv4(table, parse_fib_trie_local_addresses(kFibTrie));
    ASSERT_TRUE(address);
    EXPECT_EQ(format_ipv4(*address), "192.0.2.2");
}

TEST(PrimaryIpv4, LowestMetricDefaultWins) {
    auto table = routes("wlan0\t00000000\t010011AC\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
                        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
                        "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                        "eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n");
    EXPECT_EQ(choose_primary_ipv4(table, {0xAC110001U, 0xC0000202U}), 0xC0000202U);
}

TEST(PrimaryIpv4, OnLinkGatewayWithoutConnectedSubnet) {
    // Cloud VM: 10.128.0.5/32, default via 10.128.0.1 which is only a host route.
    auto table = routes("ens4\t00000000\t0100800A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                        "ens4\t0100800A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n");
    EXPECT_EQ(choose_primary_ipv4(table, {0x7F000001U, 0xAC110001U, 0x0A800005U}), 0x0A800005U);
    EXPECT_FALSE(choose_primary_ipv4(table, {0x7F000001U, 0xAC110001U}));
}

TEST(PrimaryIpv4, NothingToChoose) {
    EXPECT_FALSE(choose_primary_ipv4({}, {0xC0000202U}));
    // A default route that is down does not count.
    EXPECT_FALSE(choose_primary_ipv4(routes("eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
                                            "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"),
                                     {0xC0000202U}));
    auto table = routes("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    EXPECT_FALSE(choose_primary_ipv4(table, {}));
}

}  // namespace
}  // namespace cmon::sources
