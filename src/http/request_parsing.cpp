// Request parsing helpers: pure string work (see the header for the rules).
#include "http/request_parsing.hpp"

#include <charconv>

namespace cmon::http {
namespace {

std::string_view trim(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Splits `text` at `separator`; returns the part before it and leaves the rest in `text`.
std::string_view next_item(std::string_view& text, char separator) {
    const std::size_t end = text.find(separator);
    const std::string_view item = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    return item;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 12.4.2); true when > 0.
bool positive_qvalue(std::string_view q) {
    if (q.empty() || q.size() > 5 || (q[0] != '0' && q[0] != '1')) return false;
    if (q.size() > 1 && q[1] != '.') return false;
    bool nonzero_fraction = false;
    for (std::size_t i = 2; i < q.size(); ++i) {
        if (q[i] < '0' || q[i] > '9') return false;
        if (q[i] != '0') nonzero_fraction = true;
    }
    if (q[0] == '1') return !nonzero_fraction;
    return nonzero_fraction;
}

}  // namespace

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

std::optional<std::string> decode_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        if (i + 2 >= path.size()) return std::nullopt;
        const int hi = hex_value(path[i + 1]);
        const int lo = hex_value(path[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const int value = hi * 16 + lo;
        if (value == 0) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

std::optional<RequestTarget> parse_target(std::string_view target) {
    const std::size_t question = target.find('?');
    auto path = decode_path(target.substr(0, question));
    if (!path) return std::nullopt;
    RequestTarget parsed;
    parsed.path = std::move(*path);
    if (question != std::string_view::npos) parsed.query = std::string(target.substr(question + 1));
    return parsed;
}

std::optional<std::string> decode_query_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= value.size()) return std::nullopt;
            const int high = hex_value(value[i + 1]);
            const int low = hex_value(value[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::string_view> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        std::string_view pair = next_item(query, '&');
        const std::string_view key = next_item(pair, '=');
        if (key == name) return pair;
    }
    return std::nullopt;
}

std::optional<long long> parse_seconds(std::string_view text) {
    if (text.empty() || text.size() > 9) return std::nullopt;
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.front() == '-') return std::nullopt;
    return value;
}

bool accepts_gzip(std::string_view accept_encoding) {
    std::optional<bool> gzip;
    std::optional<bool> any;
    while (!accept_encoding.empty()) {
        std::string_view element = next_item(accept_encoding, ',');
        const std::string_view coding = trim(next_item(element, ';'));
        bool acceptable = true;
        while (!element.empty()) {
            std::string_view parameter = trim(next_item(element, ';'));
            const std::string_view key = trim(next_item(parameter, '='));
            if (iequals(key, "q")) acceptable = positive_qvalue(trim(parameter));
        }
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
            gzip = gzip.value_or(false) || acceptable;
        } else if (coding == "*") {
            any = acceptable;
        }
    }
    if (gzip) return *gzip;
    return any.value_or(false);
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    if (trim(if_none_match) == "*") return true;
    while (!if_none_match.empty()) {
        std::string_view tag = trim(next_item(if_none_match, ','));
        if (tag.size() > 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (!tag.empty() && tag == etag) return true;
    }
    return false;
}

}  // namespace cmon::http
