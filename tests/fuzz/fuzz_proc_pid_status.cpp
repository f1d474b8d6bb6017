// /proc/<pid>/status -> the innermost NSpid.
#include "attribution/proc_status_parser.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cmon::fuzz::keep(cmon::attribution::nspid_from_status(cmon::fuzz::as_text(data, size)));
    return 0;
}
