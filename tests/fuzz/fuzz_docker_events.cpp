// GET /events bodies: one JSON event a line, in the old (status/id/from) and new (Type/Action/Actor) forms.
// Never throws; every event it returns has an action and a positive time.
#include "fuzz_input.hpp"
#include "sources/docker/docker_json_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto events = cmon::sources::parse_events(cmon::fuzz::as_text(data, size));
    for (const auto& event : events) {
        if (event.action.empty() || event.time_ns <= 0) __builtin_trap();
    }
    cmon::fuzz::keep(events);
    return 0;
}
