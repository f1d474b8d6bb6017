// GET /events bodies: one JSON event a line, in the old (status/id/from) and new (Type/Action/Actor) forms;
// and the same bytes as a followed stream (EventStreamDecoder: HTTP head, chunks, lines).
// Never throws; every event either returns has an action and a positive time; the stream gives the same
// events and ends in the same state whether its bytes come at once or cut in two.
#include "fuzz_input.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/docker/event_stream_decoder.hpp"

namespace {

void check(const std::vector<cmon::sources::DockerEvent>& events) {
    for (const auto& event : events) {
        if (event.action.empty() || event.time_ns <= 0) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = cmon::fuzz::as_text(data, size);
    const auto events = cmon::sources::parse_events(text);
    check(events);
    cmon::fuzz::keep(events);

    cmon::sources::EventStreamDecoder whole;
    const auto at_once = whole.feed(text);
    check(at_once);
    cmon::sources::EventStreamDecoder cut;
    const std::size_t at = size == 0 ? 0 : data[0] % size;
    auto in_two = cut.feed(text.substr(0, at));
    for (auto& event : cut.feed(text.substr(at))) in_two.push_back(std::move(event));
    if (in_two.size() != at_once.size() || whole.failed() != cut.failed() || whole.ended() != cut.ended() ||
        whole.status() != cut.status())
        __builtin_trap();
    for (std::size_t i = 0; i < at_once.size(); ++i) {
        if (at_once[i].action != in_two[i].action || at_once[i].time_ns != in_two[i].time_ns) __builtin_trap();
    }
    return 0;
}
