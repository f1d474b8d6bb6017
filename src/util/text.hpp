// Small text helpers shared by the pure parsers. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::util {

// Splits on any run of spaces/tabs; no empty fields.
std::vector<std::string_view> split_whitespace(std::string_view text);
// Splits on a single character; keeps empty fields.
std::vector<std::string_view> split(std::string_view text, char separator);
// Lines without their '\n'; a missing final newline is fine; no trailing empty line.
std::vector<std::string_view> split_lines(std::string_view text);
std::string_view trim(std::string_view text);

// Whole-string decimal parses; nullopt on empty input, junk, sign, or overflow.
std::optional<std::uint64_t> parse_u64(std::string_view text);
std::optional<std::int64_t> parse_i64(std::string_view text);
std::optional<double> parse_double(std::string_view text);

}  // namespace cmon::util
