// Docker Engine API bodies: container list, inspect (and the GPU assignment made from it), stats,
// version, and RFC 3339 times. A body that is not the expected JSON may throw util::Error (the documented
// contract of parse_container_list); anything else escaping is a bug.
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace s = cmon::sources;
    const auto text = cmon::fuzz::as_text(data, size);
    static const std::vector<std::string> allowlist{"com.example.team", "org.opencontainers.*"};
    try {
        cmon::fuzz::keep(s::parse_container_list(text, allowlist));
    } catch (const cmon::util::Error&) {
    }
    if (const auto inspect = s::parse_container_inspect(text)) {
        cmon::fuzz::keep(s::gpu_assignment(*inspect));
    }
    cmon::fuzz::keep(s::parse_container_stats(text));
    cmon::fuzz::keep(s::parse_api_version(text));
    cmon::fuzz::keep(s::parse_rfc3339(text));
    return 0;
}
