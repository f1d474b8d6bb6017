// Parser for /proc/net/fib_trie (net/ipv4/fib_trie.c fib_trie_seq_show). The file prints each table
// ("Main:", "Local:") as a tree; a leaf is "|-- a.b.c.d" followed by one line per alias, e.g.
// "/32 host LOCAL" for an address assigned to this host. Pure: no I/O.
#include "sources/host/fib_trie_parser.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace cmon::sources {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
    auto octets = util::split(text, '.');
    if (octets.size() != 4) return std::nullopt;
    std::uint32_t address = 0;
    for (std::string_view octet : octets) {
        if (octet.size() > 3) return std::nullopt;
        auto value = util::parse_u64(octet);
        if (!value || *value > 255) return std::nullopt;
        address = (address << 8) | static_cast<std::uint32_t>(*value);
    }
    return address;
}

std::vector<std::uint32_t> parse_fib_trie_local_addresses(std::string_view text) {
    std::vector<std::uint32_t> out;
    bool in_local = true;  // until a table header says otherwise
    // The leaf address the following alias lines belong to (kept as value + flag: GCC 12 warns falsely
    // -Wmaybe-uninitialized on an std::optional here).
    std::uint32_t leaf = 0;
    bool have_leaf = false;
    for (std::string_view line : util::split_lines(text)) {
        if (!line.empty() && line.front() != ' ' && line.back() == ':') {
            in_local = util::trim(line) == "Local:";
            have_leaf = false;
            continue;
        }
        auto fields = util::split_whitespace(line);
        if (fields.size() >= 2 && fields[0] == "|--") {
            auto address = parse_ipv4(fields[1]);
            have_leaf = address.has_value();
            leaf = address.value_or(0);
        } else if (!fields.empty() && fields[0] == "+--") {
            have_leaf = false;
        } else if (fields.size() >= 3 && fields[0] == "/32" && fields[1] == "host" && fields[2] == "LOCAL") {
            if (in_local && have_leaf && std::find(out.begin(), out.end(), leaf) == out.end()) out.push_back(leaf);
        }
    }
    return out;
}

}  // namespace cmon::sources
