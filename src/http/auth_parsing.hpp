// Pure text rules of access control: htpasswd lines, the Authorization and Cookie headers, base64 and
// query-value decoding, token syntax. No I/O (except the two file loaders), no crypto, no Asio/Beast;
// every rule is table-tested in tests/unit/http/auth_parsing_test.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::http {

enum class HashScheme { bcrypt, sha256_crypt, sha512_crypt };

struct HtpasswdEntry {
    std::string user;
    std::string hash;  // as in the file, e.g. "$2y$10$..."; checked with crypt(3)
    HashScheme scheme = HashScheme::bcrypt;
};

// The scheme of a well-formed hash: bcrypt "$2a$/$2b$/$2y$NN$" + 53 characters, SHA-crypt "$5$" or "$6$"
// [rounds=N$] salt "$" + 43 or 86 characters. nullopt for anything else (plain text, MD5, {SHA}, ...).
std::optional<HashScheme> hash_scheme(std::string_view hash);

// Parses htpasswd text: one "user:hash" per line; blank lines and lines starting with '#' are skipped.
// Only hashed entries are accepted. Throws util::Error naming `source`, the line and the user (never
// the hash or password), e.g. "users.htpasswd line 3 (user 'bob'): plain-text password; ...".
std::vector<HtpasswdEntry> parse_htpasswd(std::string_view text, std::string_view source);

// Reads and parses an htpasswd file; throws util::Error when it is unreadable, invalid or has no users.
std::vector<HtpasswdEntry> load_htpasswd_file(const std::string& path);

// Throws util::Error unless `token` is usable as a bearer token, cookie and query value: 1..4096
// printable ASCII characters without spaces. `source` names where it came from ("--auth-token").
void check_token_syntax(std::string_view token, std::string_view source);

// The token in a file: its content without the trailing newline/whitespace; throws util::Error when the
// file is unreadable or the token is invalid.
std::string load_token_file(const std::string& path);

struct Authorization {
    std::string scheme;       // lower-cased, e.g. "bearer", "basic"
    std::string credentials;  // the rest, surrounding spaces removed
};

// Splits an Authorization header value "<scheme> <credentials>"; nullopt when empty or without
// credentials.
std::optional<Authorization> parse_authorization(std::string_view header);

// Standard base64 (RFC 4648 4) with padding required when the length is not a multiple of 4; nullopt
// for any other character or a bad length.
std::optional<std::string> decode_base64(std::string_view text);

struct BasicCredentials {
    std::string user;
    std::string password;
};

// The credentials of "Basic <base64(user:password)>" (split at the first ':'); nullopt when malformed.
std::optional<BasicCredentials> parse_basic_credentials(std::string_view base64);

// The value of cookie `name` in a Cookie header ("a=1; b=2"); nullopt when absent.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace cmon::http
