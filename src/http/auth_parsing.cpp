// Access-control text rules (see the header). Error messages name the file, line and user, never a
// secret.
#include "http/auth_parsing.hpp"

#include <cstdint>

#include "http/request_parsing.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::http {
namespace {

constexpr std::string_view kHashAdvice =
    "only hashed entries are accepted: bcrypt ($2y$, e.g. `htpasswd -nB USER`) or SHA-crypt ($5$/$6$, e.g. "
    "`openssl passwd -6`)";

bool is_crypt_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
}

bool all_crypt_chars(std::string_view text) {
    for (const char c : text) {
        if (!is_crypt_char(c)) return false;
    }
    return true;
}

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// "$2b$12$" + 22 salt + 31 hash characters.
bool is_bcrypt(std::string_view hash) {
    if (hash.size() != 60 || hash.substr(0, 2) != "$2" || hash[3] != '$' || hash[6] != '$') return false;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
    const std::string_view cost = hash.substr(4, 2);
    if (!all_digits(cost)) return false;
    const int rounds = (cost[0] - '0') * 10 + (cost[1] - '0');
    return rounds >= 4 && rounds <= 31 && all_crypt_chars(hash.substr(7));
}

// "$5$" / "$6$" [ "rounds=N$" ] salt(0..16, no '$') "$" hash(43 / 86).
bool is_sha_crypt(std::string_view hash, char id, std::size_t digest_chars) {
    if (hash.size() < 4 || hash[0] != '$' || hash[1] != id || hash[2] != '$') return false;
    std::string_view rest = hash.substr(3);
    if (rest.substr(0, 7) == "rounds=") {
        const std::size_t end = rest.find('$');
        if (end == std::string_view::npos || !all_digits(rest.substr(7, end - 7)) || end - 7 > 9) return false;
        rest.remove_prefix(end + 1);
    }
    const std::size_t dollar = rest.find('$');
    if (dollar == std::string_view::npos || dollar > 16) return false;
    const std::string_view salt = rest.substr(0, dollar);
    const std::string_view digest = rest.substr(dollar + 1);
    for (const char c : salt) {
        if (c == ':' || c == '\n' || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
            return false;
        }
    }
    return digest.size() == digest_chars && all_crypt_chars(digest);
}

// Why an entry is refused, for the error line.
std::string refusal(std::string_view hash) {
    if (hash.empty()) return "empty password hash";
    if (hash.substr(0, 6) == "$apr1$" || hash.substr(0, 3) == "$1$") {
        return "MD5-based hashes are too weak; " + std::string(kHashAdvice);
    }
    if (hash.substr(0, 5) == "{SHA}") return "unsalted SHA-1 ({SHA}) is too weak; " + std::string(kHashAdvice);
    if (hash.substr(0, 2) == "$2" || hash.substr(0, 3) == "$5$" || hash.substr(0, 3) == "$6$") {
        return "malformed password hash; " + std::string(kHashAdvice);
    }
    if (hash.front() == '$') return "unsupported password hash scheme; " + std::string(kHashAdvice);
    return "plain-text password (or an unsupported hash); " + std::string(kHashAdvice);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

std::optional<HashScheme> hash_scheme(std::string_view hash) {
    if (is_bcrypt(hash)) return HashScheme::bcrypt;
    if (is_sha_crypt(hash, '5', 43)) return HashScheme::sha256_crypt;
    if (is_sha_crypt(hash, '6', 86)) return HashScheme::sha512_crypt;
    return std::nullopt;
}

std::vector<HtpasswdEntry> parse_htpasswd(std::string_view text, std::string_view source) {
    std::vector<HtpasswdEntry> entries;
    std::size_t number = 0;
    for (const std::string_view raw : util::split_lines(text)) {
        ++number;
        const std::string_view line = util::trim(raw);
        if (line.empty() || line.front() == '#') continue;
        const std::string where = std::string(source) + " line " + std::to_string(number);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            throw util::Error(where + ": expected user:hash (" + std::string(kHashAdvice) + ")");
        }
        const std::string_view user = line.substr(0, colon);
        // htpasswd may append ":comment" fields; the hash is the second field.
        std::string_view hash = line.substr(colon + 1);
        hash = hash.substr(0, hash.find(':'));
        if (user.empty()) throw util::Error(where + ": empty user name");
        for (const char c : user) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) throw util::Error(where + ": bad user name");
        }
        const std::string who = where + " (user '" + std::string(user) + "')";
        const auto scheme = hash_scheme(hash);
        if (!scheme) throw util::Error(who + ": " + refusal(hash));
        for (const auto& entry : entries) {
            if (entry.user == user) throw util::Error(who + ": user listed twice");
        }
        entries.push_back(HtpasswdEntry{std::string(user), std::string(hash), *scheme});
    }
    return entries;
}

std::vector<HtpasswdEntry> load_htpasswd_file(const std::string& path) {
    const auto text = util::read_text_file(path, 1 << 20);
    if (!text) throw util::Error("--basic-auth-file " + path + ": cannot read the file");
    auto entries = parse_htpasswd(*text, "--basic-auth-file " + path);
    if (entries.empty()) throw util::Error("--basic-auth-file " + path + ": no users in the file");
    return entries;
}

void check_token_syntax(std::string_view token, std::string_view source) {
    if (token.empty()) throw util::Error(std::string(source) + ": the token is empty");
    if (token.size() > 4096) throw util::Error(std::string(source) + ": the token is longer than 4096 characters");
    for (const char c : token) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\') {
            throw util::Error(std::string(source) +
                              ": the token must be printable ASCII without spaces, quotes, backslashes, ';' or ','");
        }
    }
}

std::string load_token_file(const std::string& path) {
    const auto text = util::read_text_file(path, 64 * 1024);
    if (!text) throw util::Error("--auth-token-file " + path + ": cannot read the file");
    std::string token(util::trim(*text));
    check_token_syntax(token, "--auth-token-file " + path);
    return token;
}

std::optional<Authorization> parse_authorization(std::string_view header) {
    header = util::trim(header);
    const std::size_t space = header.find(' ');
    if (space == std::string_view::npos || space == 0) return std::nullopt;
    Authorization result;
    for (const char c : header.substr(0, space)) result.scheme.push_back(ascii_lower(c));
    const std::string_view credentials = util::trim(header.substr(space + 1));
    if (credentials.empty()) return std::nullopt;
    result.credentials = std::string(credentials);
    return result;
}

std::optional<std::string> decode_base64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    const std::string_view body = text.substr(0, text.size() - padding);
    std::string out;
    out.reserve(body.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : body) {
        const int value = base64_value(c);
        if (value < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xff));
        }
    }
    // Leftover bits must be zero (canonical encoding), and one leftover character is never valid.
    if (count >= 6 || (bits & ((1u << count) - 1)) != 0) return std::nullopt;
    return out;
}

std::optional<BasicCredentials> parse_basic_credentials(std::string_view base64) {
    const auto decoded = decode_base64(base64);
    if (!decoded) return std::nullopt;
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name) {
    while (!cookie_header.empty()) {
        const std::size_t end = cookie_header.find(';');
        const std::string_view pair = util::trim(cookie_header.substr(0, end));
        cookie_header = end == std::string_view::npos ? std::string_view{} : cookie_header.substr(end + 1);
        const std::size_t equals = pair.find('=');
        if (equals == std::string_view::npos || util::trim(pair.substr(0, equals)) != name) continue;
        std::string_view value = util::trim(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return value;
    }
    return std::nullopt;
}

}  // namespace cmon::http
