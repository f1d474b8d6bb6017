// /proc/meminfo -> MemInfo, and the pre-3.14 availability estimate (a sum that must not overflow).
#include "fuzz_input.hpp"
#include "sources/host/meminfo_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto info = cmon::sources::parse_meminfo(cmon::fuzz::as_text(data, size));
    const auto available = info.available_or_estimate();
    cmon::fuzz::keep(available);
    return 0;
}
