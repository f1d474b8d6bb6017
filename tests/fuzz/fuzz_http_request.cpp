// HTTP request targets and the headers the router reads. Input: "<target>\n<Accept-Encoding>\n<If-None-Match>"
// (missing lines are empty). The target is split at '?' as the router does.
#include <string_view>

#include "fuzz_input.hpp"
#include "http/request_parsing.hpp"

namespace {
std::string_view next_line(std::string_view& text) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    return line;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace h = cmon::http;
    auto text = cmon::fuzz::as_text(data, size);
    const auto target = next_line(text);
    const auto accept_encoding = next_line(text);
    const auto if_none_match = next_line(text);

    const auto question = target.find('?');
    const auto path = h::decode_path(target.substr(0, question));
    if (path && (path->empty() || path->front() != '/')) __builtin_trap();
    if (question != std::string_view::npos) {
        const auto query = target.substr(question + 1);
        for (const char* name : {"seconds", "token", "format", ""}) {
            if (const auto value = h::query_parameter(query, name)) {
                const auto seconds = h::parse_seconds(*value);
                if (seconds && *seconds < 0) __builtin_trap();
            }
        }
    }
    cmon::fuzz::keep(h::accepts_gzip(accept_encoding));
    cmon::fuzz::keep(h::etag_matches(if_none_match, "\"abc123\""));
    return 0;
}
