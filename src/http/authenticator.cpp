// Authenticator: access decisions from plain request values (see the header). crypt_r from libcrypt
// (libxcrypt on Debian 12: bcrypt and SHA-crypt) verifies passwords; OpenSSL provides SHA-256 and
// CRYPTO_memcmp.
#include "http/authenticator.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "http/request_parsing.hpp"

namespace cmon::http {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) {
    Digest digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
        size != digest.size()) {
        throw std::runtime_error("SHA-256 failed");
    }
    return digest;
}

std::string hex(const Digest& digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (const unsigned char byte : digest) {
        out.push_back(kDigits[byte >> 4]);
        out.push_back(kDigits[byte & 0x0f]);
    }
    return out;
}

bool is_public_path(std::string_view path) { return path == "/healthz"; }

AuthDecision decision(AuthDecision::Outcome outcome, bool set_cookie = false, bool secure = false) {
    AuthDecision result;
    result.outcome = outcome;
    result.set_cookie = set_cookie;
    result.secure = secure;
    return result;
}

// Denied, unless the path is open to everyone (then answered without details).
AuthDecision refuse(std::string_view path) {
    return decision(is_public_path(path) ? AuthDecision::Outcome::public_path : AuthDecision::Outcome::denied);
}

}  // namespace

bool verify_password(std::string_view password, const std::string& hash) {
    if (password.find('\0') != std::string_view::npos) return false;
    const std::string key(password);
    auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on the coroutine's stack
    const char* result = crypt_r(key.c_str(), hash.c_str(), data.get());
    // libxcrypt returns a string starting with '*' (never a valid hash) or null on failure.
    if (result == nullptr || result[0] == '*') return false;
    return constant_time_equals(result, hash);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    const Digest da = sha256(a);
    const Digest db = sha256(b);
    return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

Authenticator::Authenticator(AuthOptions options) : token_(std::move(options.token)), users_(std::move(options.users)) {
    if (token_.empty() && users_.empty()) throw std::invalid_argument("Authenticator: neither a token nor users");
    if (!token_.empty()) cookie_value_ = hex(sha256("container-monitor session cookie\n" + token_));
}

std::optional<AuthDecision> Authenticator::token_decision(const AuthRequest& request, std::string_view query) const {
    if (!token_enabled()) return std::nullopt;
    if (const auto raw = query_parameter(query, "token")) {
        const auto given = decode_query_value(*raw);
        if (given && constant_time_equals(*given, token_)) {
            return decision(AuthDecision::Outcome::granted, true, request.secure);
        }
    }
    if (const auto given = cookie_value(request.cookie, kCookieName)) {
        if (constant_time_equals(*given, cookie_value_)) return decision(AuthDecision::Outcome::granted);
    }
    return std::nullopt;
}

std::optional<AuthDecision> Authenticator::check_fast(const AuthRequest& request) const {
    const std::string_view path = request.path;
    const std::string_view query = request.query;

    if (const auto header = parse_authorization(request.authorization)) {
        if (header->scheme == "bearer" && token_enabled() && constant_time_equals(header->credentials, token_)) {
            return decision(AuthDecision::Outcome::granted);
        }
        if (header->scheme == "basic" && basic_enabled()) {
            const Digest key = sha256(request.authorization);
            const std::string cache_key(key.begin(), key.end());
            bool failed_before = false;
            {
                const std::lock_guard lock(mutex_);
                if (verified_.count(cache_key) != 0) return decision(AuthDecision::Outcome::granted);
                failed_before = failed_.count(cache_key) != 0;
            }
            // /healthz never costs a hash computation; malformed credentials need none either, nor a
            // header that failed before (the users are fixed for the run, so it fails again).
            const bool well_formed = parse_basic_credentials(header->credentials).has_value();
            if (well_formed && !failed_before && !is_public_path(path)) {
                if (auto by_token = token_decision(request, query)) return by_token;
                return std::nullopt;
            }
        }
    }
    if (auto by_token = token_decision(request, query)) return by_token;
    return refuse(path);
}

AuthDecision Authenticator::check(const AuthRequest& request) const {
    if (auto fast = check_fast(request)) return *fast;
    return verify_basic(request);
}

AuthDecision Authenticator::verify_basic(const AuthRequest& request) const {
    // check_fast only defers well-formed Basic credentials on a protected path; anything else is refused.
    const auto header = parse_authorization(request.authorization);
    if (!header || header->scheme != "basic" || users_.empty()) return decision(AuthDecision::Outcome::denied);
    const auto credentials = parse_basic_credentials(header->credentials);
    if (!credentials) return decision(AuthDecision::Outcome::denied);
    const HtpasswdEntry* user = nullptr;
    for (const auto& entry : users_) {
        if (entry.user == credentials->user) user = &entry;
    }
    // An unknown user costs the same hash computation as a known one (no user enumeration by timing).
    const bool match = verify_password(credentials->password, user ? user->hash : users_.front().hash);
    const Digest key = sha256(request.authorization);
    const std::lock_guard lock(mutex_);
    ++verifications_;
    auto& remembered = user != nullptr && match ? verified_ : failed_;
    if (remembered.size() >= kCacheLimit) remembered.clear();
    remembered.emplace(key.begin(), key.end());
    if (user == nullptr || !match) return decision(AuthDecision::Outcome::denied);
    return decision(AuthDecision::Outcome::granted);
}

Response Authenticator::denial(const AuthRequest& request) const {
    Response response = error_response(401, "authentication required");
    // Basic first: browsers show their login dialog for it.
    if (basic_enabled()) {
        response.headers.emplace_back("WWW-Authenticate",
                                      "Basic realm=\"" + std::string(kRealm) + "\", charset=\"UTF-8\"");
    }
    if (token_enabled()) {
        std::string challenge = "Bearer realm=\"" + std::string(kRealm) + "\"";
        const auto header = parse_authorization(request.authorization);
        if (header && header->scheme == "bearer") challenge += ", error=\"invalid_token\"";
        response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    }
    return response;
}

std::string Authenticator::cookie_header(bool secure) const {
    std::string value = std::string(kCookieName) + "=" + cookie_value_ + "; Path=/; HttpOnly; SameSite=Strict";
    if (secure) value += "; Secure";
    return value;
}

void Authenticator::complete(const AuthDecision& decision, Response& response) const {
    if (decision.outcome != AuthDecision::Outcome::granted || !decision.set_cookie) return;
    response.headers.emplace_back("Set-Cookie", cookie_header(decision.secure));
    // The address holds the token: keep it out of Referer headers.
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

std::uint64_t Authenticator::verifications() const {
    const std::lock_guard lock(mutex_);
    return verifications_;
}

}  // namespace cmon::http
