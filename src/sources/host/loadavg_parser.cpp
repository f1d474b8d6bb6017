// Parsers for /proc/loadavg and /proc/uptime (Documentation/filesystems/proc.rst). Only the first line is
// read; a negative or non-numeric value makes the field empty. Pure: no I/O.
#include "sources/host/loadavg_parser.hpp"

#include <cmath>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

std::vector<std::string_view> first_line_fields(std::string_view text) {
    auto lines = util::split_lines(text);
    if (lines.empty()) return {};
    return util::split_whitespace(lines.front());
}

std::optional<double> parse_non_negative(std::string_view text) {
    auto value = util::parse_double(text);
    if (!value || !std::isfinite(*value) || *value < 0) return std::nullopt;
    return value;
}

}  // namespace

LoadAvg parse_loadavg(std::string_view text) {
    auto fields = first_line_fields(text);
    if (fields.size() < 3) return {};
    auto one = parse_non_negative(fields[0]);
    auto five = parse_non_negative(fields[1]);
    auto fifteen = parse_non_negative(fields[2]);
    if (!one || !five || !fifteen) return {};
    return LoadAvg{model::LoadAverage{*one, *five, *fifteen}};
}

Uptime parse_uptime(std::string_view text) {
    auto fields = first_line_fields(text);
    Uptime out;
    if (!fields.empty()) out.uptime_seconds = parse_non_negative(fields[0]);
    if (fields.size() > 1) out.idle_seconds = parse_non_negative(fields[1]);
    return out;
}

}  // namespace cmon::sources
