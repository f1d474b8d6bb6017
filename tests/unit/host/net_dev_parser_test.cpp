// Tests for parse_net_dev (/proc/net/dev) and the physical-interface sum.
#include "sources/host/net_dev_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cmon::sources {
namespace {

constexpr const char* kHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n";

std::string with_header(const std::string& body) { return kHeader + body; }

TEST(NetDevParser, Table) {
    struct Case {
        const char* label;
        std::string text;
        std::size_t entries;
        std::uint64_t first_rx;
        std::uint64_t first_tx;
    };
    const Case cases[] = {
        {"empty input", "", 0, 0, 0},
        {"header only", kHeader, 0, 0, 0},
        {"typical", with_header("  eth0: 82750142 1882 0 0 0 0 0 0 81796 1129 0 0 0 0 0 0\n"), 1, 82750142, 81796},
        {"no final newline", with_header("  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0"), 1, 1, 2},
        {"name glued to counters (old kernels)", "eth0:5 0 0 0 0 0 0 0 6 0 0 0 0 0 0 0\n", 1, 5, 6},
        {"huge value", "eth0: 18446744073709551615 0 0 0 0 0 0 0 18446744073709551615 0 0 0 0 0 0 0\n", 1,
         18446744073709551615ULL, 18446744073709551615ULL},
        {"beyond u64 skipped", "eth0: 18446744073709551616 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n", 0, 0, 0},
        {"too few columns", "eth0: 1 2 3 4 5 6 7 8\n", 0, 0, 0},
        {"junk counter", "eth0: 1 0 0 0 0 0 0 0 x 0 0 0 0 0 0 0\n", 0, 0, 0},
        {"empty name", " : 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n", 0, 0, 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        auto entries = parse_net_dev(c.text);
        ASSERT_EQ(entries.size(), c.entries);
        if (entries.empty()) continue;
        EXPECT_EQ(entries[0].rx_bytes, c.first_rx);
        EXPECT_EQ(entries[0].tx_bytes, c.first_tx);
    }
}

TEST(NetDevParser, PacketsErrorsAndDrops) {
    // net/core/net-procfs.c: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs
    // drop fifo colls carrier compressed.
    auto entries = parse_net_dev(with_header("  eth0: 82750142 1882 3 4 0 0 0 0 81796 1129 5 6 0 0 0 0\n"));
    ASSERT_EQ(entries.size(), 1U);
    const NetDevEntry& e = entries[0];
    EXPECT_EQ(e.rx_packets, 1882U);
    EXPECT_EQ(e.rx_errors, 3U);
    EXPECT_EQ(e.rx_dropped, 4U);
    EXPECT_EQ(e.tx_packets, 1129U);
    EXPECT_EQ(e.tx_errors, 5U);
    EXPECT_EQ(e.tx_dropped, 6U);
    // A junk packet count is 0 (bytes still parse): never a skipped interface.
    entries = parse_net_dev("eth0: 1 x 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n");
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].rx_packets, 0U);
}

TEST(NetDevParser, KeepsEveryInterfaceInOrder) {
    auto entries = parse_net_dev(with_header("    lo: 3 0 0 0 0 0 0 0 3 0 0 0 0 0 0 0\n"
                                             "veth1a2b: 10 0 0 0 0 0 0 0 20 0 0 0 0 0 0 0\n"
                                             "  eth0: 7 0 0 0 0 0 0 0 8 0 0 0 0 0 0 0\n"));
    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[0].name, "lo");
    EXPECT_EQ(entries[1].name, "veth1a2b");
    EXPECT_EQ(entries[2].name, "eth0");
}

TEST(NetDevParser, VirtualInterfaces) {
    for (const char* name : {"lo", "veth9f3", "docker0", "br-1234abcd", "virbr0", "cni0", "flannel.1", "cali12",
                             "vxlan.calico", "weave", "cilium_host", "ifb0", "tun0", "tap0", "wg0", "tunl0"}) {
        EXPECT_TRUE(is_virtual_interface(name)) << name;
    }
    for (const char* name : {"eth0", "ens3", "enp0s31f6", "wlan0", "wlp2s0", "bond0", "eno1", "ib0"}) {
        EXPECT_FALSE(is_virtual_interface(name)) << name;
    }
}

TEST(NetDevParser, SumsPhysicalInterfacesOnly) {
    std::vector<NetDevEntry> entries = {
        {"lo", 1000, 1000}, {"eth0", 10, 20}, {"docker0", 500, 500}, {"veth1", 7, 7}, {"ens4", 1, 2}};
    NetTotals totals = sum_physical_interfaces(entries);
    EXPECT_EQ(totals.rx_bytes, 11U);
    EXPECT_EQ(totals.tx_bytes, 22U);
    EXPECT_EQ(sum_physical_interfaces({}).rx_bytes, 0U);
}

}  // namespace
}  // namespace cmon::sources
