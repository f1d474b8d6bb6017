// cgroup v1/v2 interface files: flat keyed (memory.stat, cpu.stat), single values, limits, io.stat and
// blkio.*io_service_bytes*. Every parser gets the same text: each must cope with any of the others' files.
#include "fuzz_input.hpp"
#include "sources/cgroup/cgroup_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace s = cmon::sources;
    const auto text = cmon::fuzz::as_text(data, size);
    cmon::fuzz::keep(s::parse_flat_keyed(text));
    cmon::fuzz::keep(s::find_flat_keyed(text, "inactive_file"));
    cmon::fuzz::keep(s::find_flat_keyed(text, "usage_usec"));
    cmon::fuzz::keep(s::parse_single_value(text));
    cmon::fuzz::keep(s::parse_limit(text));
    cmon::fuzz::keep(s::parse_cpu_stat_usage_ns(text));
    cmon::fuzz::keep(s::parse_blkio_service_bytes(text));
    cmon::fuzz::keep(s::parse_io_stat(text));
    return 0;
}
