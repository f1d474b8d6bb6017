// /proc/net/fib_trie on its own (fuzz_route feeds it only after a NUL byte): the addresses this host owns.
#include "fuzz_input.hpp"
#include "sources/host/fib_trie_parser.hpp"
#include "sources/host/primary_ipv4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto locals = cmon::sources::parse_fib_trie_local_addresses(cmon::fuzz::as_text(data, size));
    for (const auto address : locals) cmon::fuzz::keep(cmon::sources::format_ipv4(address));
    return 0;
}
