// Parser for /proc/net/dev (net/core/net-procfs.c dev_seq_printf_stats):
//   "  eth0: rx_bytes rx_packets rx_errs rx_drop rx_fifo rx_frame rx_compressed rx_multicast tx_bytes ..."
// Pure: no I/O.
#include "sources/host/net_dev_parser.hpp"


#include "util/text.hpp"

namespace cmon::sources {

namespace {

constexpr std::size_t kTxBytesColumn = 8;

constexpr std::string_view kVirtualPrefixes[] = {
    "veth", "docker", "br-", "virbr", "cni", "flannel", "cali", "vxlan", "weave", "cilium", "lxc",
    "kube-ipvs", "ifb", "tun", "tap", "wg", "tunl", "vnet", "podman"};

}  // namespace

std::vector<NetDevEntry> parse_net_dev(std::string_view text) {
    std::vector<NetDevEntry> out;
    for (std::string_view line : util::split_lines(text)) {
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = util::trim(line.substr(0, colon));
        auto fields = util::split_whitespace(line.substr(colon + 1));
        if (name.empty() || fields.size() <= kTxBytesColumn) continue;
        auto rx = util::parse_u64(fields[0]);
        auto tx = util::parse_u64(fields[kTxBytesColumn]);
        if (!rx || !tx) continue;
        NetDevEntry entry{std::string(name), *rx, *tx};
        // Columns: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs drop ...
        auto column = [&](std::size_t i) { return i < fields.size() ? util::parse_u64(fields[i]).value_or(0) : 0; };
        entry.rx_packets = column(1);
        entry.rx_errors = column(2);
        entry.rx_dropped = column(3);
        entry.tx_packets = column(kTxBytesColumn + 1);
        entry.tx_errors = column(kTxBytesColumn + 2);
        entry.tx_dropped = column(kTxBytesColumn + 3);
        out.push_back(std::move(entry));
    }
    return out;
}

bool is_virtual_interface(std::string_view name) {
    if (name == "lo") return true;
    for (std::string_view prefix : kVirtualPrefixes) {
        if (name.starts_with(prefix)) return true;
    }
    return false;
}

NetTotals sum_physical_interfaces(const std::vector<NetDevEntry>& entries) {
    NetTotals totals;
    for (const auto& entry : entries) {
        if (is_virtual_interface(entry.name)) continue;
        totals.rx_bytes += entry.rx_bytes;
        totals.tx_bytes += entry.tx_bytes;
    }
    return totals;
}

}  // namespace cmon::sources
