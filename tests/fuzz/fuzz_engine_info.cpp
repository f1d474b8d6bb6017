// GET /info bodies: the engine's name. Contract: a name, when there is one, is not empty.
#include "fuzz_input.hpp"
#include "sources/docker/engine_info_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto name = cmon::sources::parse_engine_name(cmon::fuzz::as_text(data, size));
    if (name && name->empty()) __builtin_trap();
    cmon::fuzz::keep(name);
    return 0;
}
