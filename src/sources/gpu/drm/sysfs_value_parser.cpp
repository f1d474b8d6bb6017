// Small sysfs/procfs value parsers for the DRM backend (see the header for the formats).
#include "sources/gpu/drm/sysfs_value_parser.hpp"

#include <limits>

#include "util/text.hpp"

namespace cmon::sources {

std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text) {
    text = util::trim(text);
    if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return std::nullopt;
    text.remove_prefix(2);
    if (text.size() > 8) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<unsigned>(c - 'A' + 10);
        else
            return std::nullopt;
        value = value * 16 + digit;
    }
    return value;
}

std::optional<std::uint64_t> parse_sysfs_u64(std::string_view text) { return util::parse_u64(util::trim(text)); }

std::optional<std::string> parse_uevent_value(std::string_view text, std::string_view key) {
    for (std::string_view line : util::split_lines(text)) {
        const std::size_t equals = line.find('=');
        if (equals == std::string_view::npos || line.substr(0, equals) != key) continue;
        std::string_view value = util::trim(line.substr(equals + 1));
        if (value.empty()) return std::nullopt;
        return std::string(value);
    }
    return std::nullopt;
}

std::map<std::string, std::uint64_t> parse_kfd_properties(std::string_view text) {
    std::map<std::string, std::uint64_t> out;
    for (std::string_view line : util::split_lines(text)) {
        auto fields = util::split_whitespace(line);
        if (fields.size() != 2) continue;
        if (auto value = util::parse_u64(fields[1])) out[std::string(fields[0])] = *value;
    }
    return out;
}

}  // namespace cmon::sources
