// Pure helpers that read parts of an HTTP request: the path, query parameters, Accept-Encoding and
// If-None-Match. No I/O, no Asio/Beast; every rule is table-tested in tests/unit/http.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::http {

// Decodes %XX escapes of an origin-form path; nullopt when the path is malformed (no leading '/',
// a bad escape, a control character or an encoded NUL).
std::optional<std::string> decode_path(std::string_view path);

// An origin-form request target split at the first '?': the decoded path (what routing and access
// control both look at) and the raw query string (decoded per parameter by its reader).
struct RequestTarget {
    std::string path;
    std::string query;
};

// nullopt when the path part is malformed (see decode_path).
std::optional<RequestTarget> parse_target(std::string_view target);

// Decodes a query-string value: %XX escapes and '+' as space; nullopt for a bad escape.
std::optional<std::string> decode_query_value(std::string_view value);

// ASCII case-insensitive equality (header names, codings, parameter keys).
char ascii_lower(char c);
bool iequals(std::string_view a, std::string_view b);

// The raw value of the first `name=value` pair of a query string (the part after '?', without it);
// nullopt when the parameter is absent. `name` with no '=' has the empty value.
std::optional<std::string_view> query_parameter(std::string_view query, std::string_view name);

// A non-negative decimal number of seconds ("0".."999999999"); nullopt for anything else
// (empty, sign, fraction, spaces, overflow).
std::optional<long long> parse_seconds(std::string_view text);

// Whether an Accept-Encoding value allows gzip (RFC 9110 12.5.3): "gzip" or "x-gzip" with q > 0, or
// "*" with q > 0 when gzip is not named. Empty header: no. Case-insensitive; bad q-values count as 0.
bool accepts_gzip(std::string_view accept_encoding);

// Whether an If-None-Match value matches `etag` (a quoted entity tag) by weak comparison
// (RFC 9110 13.1.2): "*" or any listed tag equal after dropping a "W/" prefix.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace cmon::http
