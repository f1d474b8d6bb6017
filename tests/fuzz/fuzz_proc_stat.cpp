// /proc/stat -> CpuStat.
#include "fuzz_input.hpp"
#include "sources/host/cpu_stat_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto stat = cmon::sources::parse_cpu_stat(cmon::fuzz::as_text(data, size));
    cmon::fuzz::keep(stat);
    return 0;
}
