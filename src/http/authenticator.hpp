// Authenticator: optional access control, decided per request from plain values (no sockets, no
// Asio/Beast). Two independent mechanisms, either of which grants access when configured:
//  - a shared token: "Authorization: Bearer TOKEN", "?token=TOKEN" (which also sets an HttpOnly,
//    SameSite=Strict session cookie so the page's own API/SSE requests are let in), or that cookie;
//  - htpasswd users (bcrypt or SHA-crypt hashes) with "Authorization: Basic"; verifications, failed or
//    not, are cached by a SHA-256 of the header value, since bcrypt costs milliseconds (a client
//    repeating wrong credentials costs one hash computation, not one per request).
// Secrets are compared in constant time. /healthz stays open (outcome public_path): the router then
// leaves out the details. Decisions are made once per request on the decoded path the router routes
// on, so "/%68ealthz" and "/healthz" are one path. Thread-safe (the verification cache has a mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "http/auth_parsing.hpp"
#include "http/router.hpp"

namespace cmon::http {

struct AuthOptions {
    std::string token;                 // empty: no token access
    std::vector<HtpasswdEntry> users;  // empty: no Basic access
};

struct AuthRequest {
    std::string path;           // decoded, as the router sees it, e.g. "/"
    std::string query;          // raw query string, e.g. "token=abc"
    std::string authorization;  // the Authorization header, empty when absent
    std::string cookie;         // the Cookie header, empty when absent
    bool secure = false;        // arrived over TLS (the cookie gets "Secure")
};

struct AuthDecision {
    enum class Outcome { denied, granted, public_path };
    Outcome outcome = Outcome::denied;
    bool set_cookie = false;  // granted through ?token=: the response sets the session cookie
    bool secure = false;
    bool busy = false;  // denied unverified: too many password checks were pending (answer 503, not 401)

    bool allowed() const { return outcome != Outcome::denied; }
};

// True when `password` matches `hash` (bcrypt or SHA-crypt) according to crypt_r(3) from libcrypt.
bool verify_password(std::string_view password, const std::string& hash);

// Equality of two secrets whose running time does not depend on where they differ (compares SHA-256
// digests with CRYPTO_memcmp, so not on their lengths either).
bool constant_time_equals(std::string_view a, std::string_view b);

class Authenticator {
public:
    static constexpr std::string_view kRealm = "container-monitor";
    static constexpr std::string_view kCookieName = "cmon_session";
    static constexpr std::size_t kCacheLimit = 1024;  // Basic headers remembered per outcome (then cleared)

    // At least one of token and users must be set (throws std::invalid_argument otherwise).
    explicit Authenticator(AuthOptions options);

    bool token_enabled() const { return !token_.empty(); }
    bool basic_enabled() const { return !users_.empty(); }

    // Decides without computing a password hash: token, cookie, cached Basic credentials, malformed or
    // absent credentials. nullopt when a Basic password must be verified (call check(), off the I/O
    // thread: bcrypt is slow).
    std::optional<AuthDecision> check_fast(const AuthRequest& request) const;
    // The full decision; verifies Basic passwords with crypt_r and caches the outcome.
    AuthDecision check(const AuthRequest& request) const;
    // The slow half of check(), for a request check_fast() returned nullopt for.
    AuthDecision verify_basic(const AuthRequest& request) const;

    // The 401 answer for a denied request: JSON body, one WWW-Authenticate challenge per mechanism.
    Response denial(const AuthRequest& request) const;
    // Applies an allowing decision to the router's answer: the session cookie after ?token=.
    void complete(const AuthDecision& decision, Response& response) const;

    // crypt_r calls made so far (tests prove the cache with it).
    std::uint64_t verifications() const;

private:
    std::optional<AuthDecision> token_decision(const AuthRequest& request, std::string_view query) const;
    std::string cookie_header(bool secure) const;

    std::string token_;
    std::string cookie_value_;  // derived from the token, so the cookie never holds the token itself
    std::vector<HtpasswdEntry> users_;
    mutable std::mutex mutex_;
    mutable std::unordered_set<std::string> verified_;  // SHA-256 of Authorization headers that passed
    mutable std::unordered_set<std::string> failed_;    // ... and of those that did not
    mutable std::uint64_t verifications_ = 0;
};

}  // namespace cmon::http
