// Parser for /proc/net/fib_trie: the addresses this host owns. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace cmon::sources {

// The "/32 host LOCAL" leaves of the "Local:" table, in file order, without duplicates; first octet in the
// top byte. When the file has no table headers at all, every such leaf counts.
std::vector<std::uint32_t> parse_fib_trie_local_addresses(std::string_view text);

// "192.0.2.2" -> 0xC0000202; nullopt unless four decimal octets 0..255.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);

}  // namespace cmon::sources
