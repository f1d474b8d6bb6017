// /proc/net/dev (host and /proc/<pid>/net/dev) and the physical-interface sum.
#include "fuzz_input.hpp"
#include "sources/host/net_dev_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto entries = cmon::sources::parse_net_dev(cmon::fuzz::as_text(data, size));
    for (const auto& entry : entries) cmon::fuzz::keep(cmon::sources::is_virtual_interface(entry.name));
    const auto totals = cmon::sources::sum_physical_interfaces(entries);
    cmon::fuzz::keep(totals);
    return 0;
}
