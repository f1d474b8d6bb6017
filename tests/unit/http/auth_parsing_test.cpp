// Access-control text rules: htpasswd lines, Authorization/Cookie headers, base64, query values, tokens.
#include "http/auth_parsing.hpp"

#include <gtest/gtest.h>
#include <string>

#include "http/request_parsing.hpp"
#include "util/error.hpp"

namespace cmon::http {
namespace {

// Made with `openssl passwd -6 -salt saltsalt 's3cret pass'` and libcrypt's bcrypt (cost 4) / SHA-256.
constexpr const char* kSha512 =
    "$6$saltsalt$osX/3U830g/zrFjlLO4TCL7anTNnqPEtGZkQlCTVqQ4pIrvUWJgcB5qXW3Wio7X4AzYGVHZaxr6U8FI7Xf77C/";
constexpr const char* kBcrypt = "$2b$04$DnDblAEbdHpMzBIzrIr6reprKd7D2cvcURPxM7bajW4C/AgalWkcO";
constexpr const char* kSha256 = "$5$rounds=1000$NFt2uw2Uvjp0PTwC$iqkRUp.TEGd1a1RG6tO7WeyDxZb6FJBu/zZhSzRKhzD";

std::string error_of(std::string_view text) {
    try {
        parse_htpasswd(text, "users.htpasswd");
    } catch (const util::Error& e) {
        return e.what();
    }
    return "";
}

TEST(HashScheme, RecognizesOnlyWellFormedHashes) {
    EXPECT_EQ(hash_scheme(kBcrypt), HashScheme::bcrypt);
    std::string y = kBcrypt;
    y[2] = 'y';
    EXPECT_EQ(hash_scheme(y), HashScheme::bcrypt);
    y[2] = 'a';
    EXPECT_EQ(hash_scheme(y), HashScheme::bcrypt);
    EXPECT_EQ(hash_scheme(kSha512), HashScheme::sha512_crypt);
    EXPECT_EQ(hash_scheme(kSha256), HashScheme::sha256_crypt);

    const std::string bcrypt = kBcrypt;
    EXPECT_FALSE(hash_scheme(bcrypt.substr(0, 59)));          // truncated
    EXPECT_FALSE(hash_scheme("$2x$" + bcrypt.substr(4)));     // unknown variant
    EXPECT_FALSE(hash_scheme("$2b$03$" + bcrypt.substr(7)));  // cost below 4
    EXPECT_FALSE(hash_scheme("$2b$32$" + bcrypt.substr(7)));  // cost above 31
    EXPECT_FALSE(hash_scheme(bcrypt.substr(0, 59) + "!"));    // not a crypt character
    const std::string sha = kSha512;
    EXPECT_FALSE(hash_scheme(sha.substr(0, sha.size() - 1)));
    EXPECT_FALSE(hash_scheme("$6$rounds=x$salt$" + sha.substr(sha.rfind('$') + 1)));
    EXPECT_FALSE(hash_scheme("$6$saltsaltsaltsaltsalt$" + sha.substr(sha.rfind('$') + 1)));  // salt > 16
    EXPECT_FALSE(hash_scheme("secret"));
    EXPECT_FALSE(hash_scheme("$apr1$abcdefgh$0123456789012345678901"));
    EXPECT_FALSE(hash_scheme("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="));
    EXPECT_FALSE(hash_scheme(""));
}

TEST(ParseHtpasswd, ReadsUsersCommentsAndBlankLines) {
    const std::string text =
        std::string("# lab users\n\nalice:") + kBcrypt + "\r\nbob:" + kSha512 + ":comment field\n  carol:" + kSha256;
    const auto entries = parse_htpasswd(text, "users.htpasswd");
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].user, "alice");
    EXPECT_EQ(entries[0].hash, kBcrypt);
    EXPECT_EQ(entries[0].scheme, HashScheme::bcrypt);
    EXPECT_EQ(entries[1].user, "bob");
    EXPECT_EQ(entries[1].hash, kSha512);  // extra ":comment" fields are ignored
    EXPECT_EQ(entries[1].scheme, HashScheme::sha512_crypt);
    EXPECT_EQ(entries[2].user, "carol");
    EXPECT_EQ(entries[2].scheme, HashScheme::sha256_crypt);
    EXPECT_TRUE(parse_htpasswd("", "x").empty());
}

TEST(ParseHtpasswd, RejectsPlainTextWithoutEchoingIt) {
    const std::string message = error_of(std::string("alice:") + kBcrypt + "\nbob:hunter2\n");
    EXPECT_NE(message.find("users.htpasswd line 2 (user 'bob')"), std::string::npos) << message;
    EXPECT_NE(message.find("plain-text password"), std::string::npos) << message;
    EXPECT_NE(message.find("htpasswd -nB"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(ParseHtpasswd, RejectsWeakMalformedAndDuplicateEntries) {
    const struct {
        std::string text;
        const char* expected;
    } cases[] = {
        {"bob:$apr1$abcdefgh$0123456789012345678901", "MD5-based"},
        {"bob:$1$abcdefgh$0123456789012345678901", "MD5-based"},
        {"bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "unsalted SHA-1"},
        {"bob:$2b$04$short", "malformed password hash"},
        {"bob:$y$j9T$abc$def", "unsupported password hash scheme"},
        {"bob:", "empty password hash"},
        {"bob", "expected user:hash"},
        {std::string(":") + kBcrypt, "empty user name"},
        {std::string("bob:") + kBcrypt + "\nbob:" + kSha512, "line 2 (user 'bob'): user listed twice"},
    };
    for (const auto& c : cases) {
        const std::string message = error_of(c.text);
        EXPECT_NE(message.find(c.expected), std::string::npos) << c.text << " -> " << message;
    }
}

TEST(CheckTokenSyntax, AcceptsPrintableRejectsSpacesAndSeparators) {
    EXPECT_NO_THROW(check_token_syntax("abc-DEF_123.~+/=", "--auth-token"));
    for (const char* bad : {"", "with space", "semi;colon", "com,ma", "quo\"te", "back\\slash", "tab\there", "é"}) {
        EXPECT_THROW(check_token_syntax(bad, "--auth-token"), util::Error) << bad;
    }
    EXPECT_THROW(check_token_syntax(std::string(4097, 'a'), "--auth-token"), util::Error);
    try {
        check_token_syntax("", "--auth-token-file /run/token");
    } catch (const util::Error& e) {
        EXPECT_EQ(std::string(e.what()), "--auth-token-file /run/token: the token is empty");
    }
}

TEST(ParseAuthorization, SplitsSchemeAndCredentials) {
    auto a = parse_authorization("Bearer abc.def");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->scheme, "bearer");
    EXPECT_EQ(a->credentials, "abc.def");
    a = parse_authorization("  BASIC   YWxpY2U6cHc=  ");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->scheme, "basic");
    EXPECT_EQ(a->credentials, "YWxpY2U6cHc=");
    EXPECT_FALSE(parse_authorization(""));
    EXPECT_FALSE(parse_authorization("Bearer"));
    EXPECT_FALSE(parse_authorization("Bearer   "));
}

TEST(DecodeBase64, StandardAlphabetWithPadding) {
    EXPECT_EQ(decode_base64(""), "");
    EXPECT_EQ(decode_base64("Zg=="), "f");
    EXPECT_EQ(decode_base64("Zm8="), "fo");
    EXPECT_EQ(decode_base64("Zm9v"), "foo");
    EXPECT_EQ(decode_base64("YWxpY2U6czNjcmV0IHBhc3M="), "alice:s3cret pass");
    EXPECT_EQ(decode_base64("+/+/"), std::string("\xfb\xff\xbf"));
    EXPECT_FALSE(decode_base64("Zg"));    // padding required
    EXPECT_FALSE(decode_base64("Zg=a"));  // '=' inside
    EXPECT_FALSE(decode_base64("Zh=="));  // non-zero leftover bits
    EXPECT_FALSE(decode_base64("Z==="));  // one leftover character
    EXPECT_FALSE(decode_base64("Zm9-"));  // URL alphabet is not standard base64
    EXPECT_FALSE(decode_base64("Zm 9v"));
}

TEST(ParseBasicCredentials, SplitsAtFirstColon) {
    auto c = parse_basic_credentials("YWxpY2U6czNjcmV0OnBhc3M=");  // alice:s3cret:pass
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "alice");
    EXPECT_EQ(c->password, "s3cret:pass");
    c = parse_basic_credentials("YWxpY2U6");  // alice: (empty password)
    ASSERT_TRUE(c);
    EXPECT_EQ(c->password, "");
    EXPECT_FALSE(parse_basic_credentials("YWxpY2U="));  // no colon
    EXPECT_FALSE(parse_basic_credentials("OnB3"));      // empty user
    EXPECT_FALSE(parse_basic_credentials("!!!!"));
}

TEST(CookieValue, FindsNamedCookie) {
    EXPECT_EQ(cookie_value("cmon_session=abc", "cmon_session"), "abc");
    EXPECT_EQ(cookie_value("a=1; cmon_session=abc; b=2", "cmon_session"), "abc");
    EXPECT_EQ(cookie_value("a=1;cmon_session=\"abc\"", "cmon_session"), "abc");
    EXPECT_EQ(cookie_value("xcmon_session=abc", "cmon_session"), std::nullopt);
    EXPECT_EQ(cookie_value("cmon_session", "cmon_session"), std::nullopt);
    EXPECT_EQ(cookie_value("", "cmon_session"), std::nullopt);
    EXPECT_EQ(cookie_value("cmon_session=", "cmon_session"), "");
}

TEST(DecodeQueryValue, EscapesAndPlus) {
    EXPECT_EQ(decode_query_value("abc"), "abc");
    EXPECT_EQ(decode_query_value("a%2Fb%3d"), "a/b=");
    EXPECT_EQ(decode_query_value("a+b"), "a b");
    EXPECT_EQ(decode_query_value(""), "");
    EXPECT_FALSE(decode_query_value("%"));
    EXPECT_FALSE(decode_query_value("%4"));
    EXPECT_FALSE(decode_query_value("%zz"));
}

}  // namespace
}  // namespace cmon::http
