// /proc/loadavg and /proc/uptime (both one line of numbers).
#include "fuzz_input.hpp"
#include "sources/host/loadavg_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cmon::fuzz::as_text(data, size);
    const auto load = cmon::sources::parse_loadavg(text);
    const auto uptime = cmon::sources::parse_uptime(text);
    cmon::fuzz::keep(load);
    cmon::fuzz::keep(uptime);
    return 0;
}
