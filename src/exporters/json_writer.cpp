#include "exporters/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace cmon::exporters {

void JsonWriter::open(char bracket) {
    separate();
    out_.push_back(bracket);
    need_comma_ = false;
}

void JsonWriter::close(char bracket) {
    out_.push_back(bracket);
    need_comma_ = true;
}

void JsonWriter::key(std::string_view name) {
    separate();
    append_string(name);
    out_.push_back(':');
    need_comma_ = false;  // the member's value follows without a comma
}

void JsonWriter::string(std::string_view text) {
    separate();
    append_string(text);
}

void JsonWriter::boolean(bool value) {
    separate();
    out_.append(value ? "true" : "false");
}

void JsonWriter::null() {
    separate();
    out_.append("null");
}

void JsonWriter::number(double value) {
    separate();
    if (!std::isfinite(value)) {
        out_.append("null");  // as nlohmann::json dumps it
        return;
    }
    // nlohmann::json's own conversion (Grisu2, its choice of fixed or exponent form, ".0" on whole values):
    // the legacy /query must stay byte for byte what the nlohmann::json version wrote.
    char digits[64];
    const char* end = nlohmann::detail::to_chars(digits, digits + sizeof digits, value);
    out_.append(digits, static_cast<std::size_t>(end - digits));
}

void JsonWriter::append_signed(std::int64_t value) {
    char digits[24];
    out_.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits));
}

void JsonWriter::append_unsigned(std::uint64_t value) {
    char digits[24];
    out_.append(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits));
}

void JsonWriter::append_string(std::string_view text) {
    // Nearly every string here (ids, names, numbers' units) is printable ASCII without quotes or
    // backslashes: copied as it is. Anything else takes nlohmann::json's escaping, which also replaces
    // invalid UTF-8 (a process's command line may hold any bytes) with U+FFFD.
    bool plain = true;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
            plain = false;
            break;
        }
    }
    if (plain) {
        out_.push_back('"');
        out_.append(text);
        out_.push_back('"');
        return;
    }
    out_.append(nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace cmon::exporters
