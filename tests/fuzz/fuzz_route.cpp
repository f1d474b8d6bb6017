// /proc/net/route and /proc/net/fib_trie, and the primary-address choice made from both. The input is
// split at the first NUL byte: route text before it, fib_trie text after it (all route text when none).
#include "fuzz_input.hpp"
#include "sources/host/fib_trie_parser.hpp"
#include "sources/host/primary_ipv4.hpp"
#include "sources/host/route_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cmon::fuzz::as_text(data, size);
    const auto split = text.find('\0');
    const auto route_text = text.substr(0, split);
    const auto fib_text = split == std::string_view::npos ? text : text.substr(split + 1);
    const auto routes = cmon::sources::parse_route(route_text);
    const auto locals = cmon::sources::parse_fib_trie_local_addresses(fib_text);
    const auto primary = cmon::sources::choose_primary_ipv4(routes, locals);
    if (primary) cmon::fuzz::keep(cmon::sources::format_ipv4(*primary));
    cmon::fuzz::keep(cmon::sources::parse_ipv4(text));
    return 0;
}
