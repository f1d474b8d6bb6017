// Authenticator: token, cookie and Basic decisions, the verification cache, 401 answers, /healthz.
#include "http/authenticator.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/request_parsing.hpp"
#include "http/access_gate.hpp"

namespace cmon::http {
namespace {

// bcrypt (cost 4) and SHA-512 crypt hashes of "hunter2" and "s3cret pass".
constexpr const char* kHunter2Bcrypt = "$2b$04$DnDblAEbdHpMzBIzrIr6reprKd7D2cvcURPxM7bajW4C/AgalWkcO";
constexpr const char* kS3cretSha512 =
    "$6$saltsalt$osX/3U830g/zrFjlLO4TCL7anTNnqPEtGZkQlCTVqQ4pIrvUWJgcB5qXW3Wio7X4AzYGVHZaxr6U8FI7Xf77C/";
constexpr const char* kToken = "0123456789abcdef-token";

// "Basic " + base64("alice:hunter2") and friends.
constexpr const char* kAliceRight = "Basic YWxpY2U6aHVudGVyMg==";
constexpr const char* kAliceWrong = "Basic YWxpY2U6aHVudGVyMw==";  // alice:hunter3
constexpr const char* kBobRight = "Basic Ym9iOnMzY3JldCBwYXNz";    // bob:s3cret pass
constexpr const char* kMalloryAny = "Basic bWFsbG9yeTpodW50ZXIy";  // mallory:hunter2

AuthOptions both() {
    AuthOptions options;
    options.token = kToken;
    options.users = {{"alice", kHunter2Bcrypt, HashScheme::bcrypt}, {"bob", kS3cretSha512, HashScheme::sha512_crypt}};
    return options;
}

// What the session hands over: the target split at '?' and its path decoded.
AuthRequest get(std::string_view target, std::string authorization = "", std::string cookie = "") {
    const auto parsed = parse_target(target);
    if (!parsed) throw std::invalid_argument("malformed test target");
    AuthRequest request;
    request.path = parsed->path;
    request.query = parsed->query;
    request.authorization = std::move(authorization);
    request.cookie = std::move(cookie);
    return request;
}

using Outcome = AuthDecision::Outcome;

std::string set_cookie_of(const Authenticator& auth, const AuthRequest& request) {
    const AuthDecision decision = auth.check(request);
    Response response;
    auth.complete(decision, response);
    return response.header("Set-Cookie");
}

TEST(VerifyPassword, BcryptAndShaCrypt) {
    EXPECT_TRUE(verify_password("hunter2", kHunter2Bcrypt));
    EXPECT_FALSE(verify_password("hunter3", kHunter2Bcrypt));
    std::string y = kHunter2Bcrypt;
    y[2] = 'y';  // Apache's $2y$ is the same algorithm
    EXPECT_TRUE(verify_password("hunter2", y));
    EXPECT_TRUE(verify_password("s3cret pass", kS3cretSha512));
    EXPECT_FALSE(verify_password("s3cret pas", kS3cretSha512));
    EXPECT_FALSE(verify_password(std::string("hunter2\0x", 9), kHunter2Bcrypt));
    EXPECT_FALSE(verify_password("", "not a hash"));
}

TEST(ConstantTimeEquals, ComparesContent) {
    EXPECT_TRUE(constant_time_equals("abc", "abc"));
    EXPECT_TRUE(constant_time_equals("", ""));
    EXPECT_FALSE(constant_time_equals("abc", "abd"));
    EXPECT_FALSE(constant_time_equals("abc", "abcd"));
}

TEST(Authenticator, BearerToken) {
    const Authenticator auth(both());
    EXPECT_EQ(auth.check(get("/query", std::string("Bearer ") + kToken)).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/query", std::string("bearer ") + kToken)).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/query", "Bearer wrong")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/query")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/api/v1/events")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/app.js")).outcome, Outcome::denied);
}

TEST(Authenticator, QueryTokenSetsAStrictHttpOnlyCookieThatIsAcceptedAfterwards) {
    const Authenticator auth(both());
    const AuthRequest page = get(std::string("/?token=") + kToken);
    const AuthDecision decision = auth.check(page);
    EXPECT_EQ(decision.outcome, Outcome::granted);
    EXPECT_TRUE(decision.set_cookie);
    Response response;
    auth.complete(decision, response);
    const std::string cookie = response.header("Set-Cookie");
    EXPECT_EQ(cookie.rfind("cmon_session=", 0), 0u) << cookie;
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
    EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP: a Secure cookie would be dropped
    EXPECT_EQ(cookie.find(kToken), std::string::npos);    // the cookie is derived, not the token
    EXPECT_EQ(response.header("Referrer-Policy"), "no-referrer");

    const std::string pair = cookie.substr(0, cookie.find(';'));
    EXPECT_EQ(auth.check(get("/api/v1/snapshot", "", "theme=dark; " + pair)).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/api/v1/events", "", pair)).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/api/v1/events", "", "cmon_session=forged")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get(std::string("/?token=") + kToken + "x")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/?token=")).outcome, Outcome::denied);

    AuthRequest secure = page;
    secure.secure = true;
    EXPECT_NE(set_cookie_of(auth, secure).find("; Secure"), std::string::npos);
    // A cookie is not re-set by requests that did not use ?token=.
    EXPECT_EQ(set_cookie_of(auth, get("/", std::string("Bearer ") + kToken)), "");
}

TEST(Authenticator, QueryTokenIsPercentDecoded) {
    AuthOptions options;
    options.token = "a/b+c=d-0123456789";
    const Authenticator auth(std::move(options));
    EXPECT_EQ(auth.check(get("/?x=1&token=a%2Fb%2Bc%3Dd-0123456789")).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/?token=a/b%2Bc=d-0123456789&x=1")).outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/?token=a/b+c=d-0123456789")).outcome, Outcome::denied);  // '+' is a space
}

TEST(Authenticator, BasicUsersAndTheVerificationCache) {
    const Authenticator auth(both());
    // Fast path cannot decide fresh Basic credentials: they need crypt.
    EXPECT_FALSE(auth.check_fast(get("/query", kAliceRight)).has_value());
    EXPECT_EQ(auth.check(get("/query", kAliceRight)).outcome, Outcome::granted);
    EXPECT_EQ(auth.verifications(), 1u);
    // Now cached: decided fast, no further crypt call.
    const auto cached = auth.check_fast(get("/query", kAliceRight));
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ(cached->outcome, Outcome::granted);
    EXPECT_EQ(auth.check(get("/api/v1/snapshot", kAliceRight)).outcome, Outcome::granted);
    EXPECT_EQ(auth.verifications(), 1u);

    EXPECT_EQ(auth.check(get("/query", kBobRight)).outcome, Outcome::granted);
    EXPECT_EQ(auth.verifications(), 2u);
    // A failure costs one verification, an unknown user as much as a known one; the same wrong header
    // again is refused fast, from the cache.
    EXPECT_EQ(auth.check(get("/query", kAliceWrong)).outcome, Outcome::denied);
    const auto refused = auth.check_fast(get("/query", kAliceWrong));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/query", kAliceWrong)).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/query", kMalloryAny)).outcome, Outcome::denied);
    EXPECT_EQ(auth.verifications(), 4u);
    // The right password after a wrong one is a different header: still granted.
    EXPECT_EQ(auth.check(get("/query", kAliceRight)).outcome, Outcome::granted);
    // Malformed credentials are refused without crypt.
    EXPECT_EQ(auth.check(get("/query", "Basic !!!")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/query", "Basic YWxpY2U=")).outcome, Outcome::denied);  // no colon
    EXPECT_EQ(auth.verifications(), 4u);
}

TEST(Authenticator, BasicOnlyIgnoresTokens) {
    AuthOptions options;
    options.users = {{"alice", kHunter2Bcrypt, HashScheme::bcrypt}};
    const Authenticator auth(std::move(options));
    EXPECT_FALSE(auth.token_enabled());
    EXPECT_TRUE(auth.basic_enabled());
    EXPECT_EQ(auth.check(get("/query", "Bearer anything")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/?token=")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/query", kAliceRight)).outcome, Outcome::granted);
}

TEST(Authenticator, DenialChallengesEveryConfiguredScheme) {
    const Authenticator auth(both());
    const Response response = auth.denial(get("/query"));
    EXPECT_EQ(response.status, 401);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(response.body, R"({"error":"authentication required"})");
    EXPECT_EQ(response.header("Cache-Control"), "no-store");
    std::vector<std::string> challenges;
    for (const auto& [name, value] : response.headers) {
        if (name == "WWW-Authenticate") challenges.push_back(value);
    }
    ASSERT_EQ(challenges.size(), 2u);
    EXPECT_EQ(challenges[0], R"(Basic realm="container-monitor", charset="UTF-8")");
    EXPECT_EQ(challenges[1], R"(Bearer realm="container-monitor")");

    const Response wrong = auth.denial(get("/query", "Bearer nope"));
    EXPECT_EQ(wrong.headers.back().second, R"(Bearer realm="container-monitor", error="invalid_token")");
}

// The router leaves the details out for a public_path decision (router_test, server_test).
TEST(Authenticator, HealthzIsOpenWithoutCredentials) {
    const Authenticator auth(both());
    const AuthDecision open = auth.check(get("/healthz"));
    EXPECT_EQ(open.outcome, Outcome::public_path);
    EXPECT_TRUE(open.allowed());

    // Wrong credentials on /healthz: still open (not granted), and no crypt call for it.
    EXPECT_EQ(auth.check(get("/healthz", kAliceWrong)).outcome, Outcome::public_path);
    EXPECT_EQ(auth.check(get("/healthz?token=nope")).outcome, Outcome::public_path);
    EXPECT_EQ(auth.verifications(), 0u);

    // With credentials: granted, so the router gives the details.
    EXPECT_EQ(auth.check(get("/healthz", std::string("Bearer ") + kToken)).outcome, Outcome::granted);

    // Only /healthz itself is open.
    EXPECT_EQ(auth.check(get("/healthz/x")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/healthzz")).outcome, Outcome::denied);
}

// Decided on the decoded path: an encoded spelling gets the plain one's decision.
TEST(Authenticator, PercentEncodedPathsGetThePlainPathsDecision) {
    const Authenticator auth(both());
    EXPECT_EQ(auth.check(get("/%68ealthz")).outcome, Outcome::public_path);
    EXPECT_EQ(auth.check(get("/%68ealthz")).outcome, auth.check(get("/healthz")).outcome);
    EXPECT_EQ(auth.check(get("/api/v1/%73napshot")).outcome, Outcome::denied);
    EXPECT_EQ(auth.check(get("/api/v1/%73napshot", std::string("Bearer ") + kToken)).outcome, Outcome::granted);
}

asio::awaitable<void> ask(AccessGate& gate, AuthRequest request, AuthDecision& out) {
    out = co_await gate.check(std::move(request));
}

TEST(AccessGate, PasswordChecksBeyondThePendingLimitAreRefusedAsBusy) {
    AccessGate gate{std::make_shared<const Authenticator>(both()), 1};
    const std::vector<std::string> headers = {kAliceWrong, kMalloryAny, "Basic YWxpY2U6eA=="};  // alice:x
    std::vector<AuthDecision> decisions(headers.size());
    asio::io_context io;
    // All at once: the first goes to the worker; the others find the one allowed check pending.
    for (std::size_t i = 0; i < headers.size(); ++i) {
        asio::co_spawn(io, ask(gate, get("/query", headers[i]), decisions[i]), asio::detached);
    }
    io.run();
    EXPECT_EQ(decisions[0].outcome, Outcome::denied);
    EXPECT_FALSE(decisions[0].busy);
    EXPECT_TRUE(decisions[1].busy);
    EXPECT_TRUE(decisions[2].busy);
    EXPECT_EQ(gate.authenticator().verifications(), 1u);

    const Response busy = gate.refusal(get("/query", headers[1]), decisions[1]);
    EXPECT_EQ(busy.status, 503);
    EXPECT_NE(busy.body.find("retry"), std::string::npos);
    EXPECT_EQ(gate.refusal(get("/query", headers[0]), decisions[0]).status, 401);

    // Nothing pending any more: checked (and refused for the wrong password) like any other request.
    io.restart();
    asio::co_spawn(io, ask(gate, get("/query", headers[1]), decisions[1]), asio::detached);
    io.run();
    EXPECT_FALSE(decisions[1].busy);
    EXPECT_EQ(gate.authenticator().verifications(), 2u);
    // Fast decisions never queue: a failure seen before is decided at once.
    EXPECT_FALSE(gate.authenticator().check_fast(get("/query", headers[0]))->busy);
}

}  // namespace
}  // namespace cmon::http
