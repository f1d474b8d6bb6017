// Request parsing helpers: tables of edge cases.
#include "http/request_parsing.hpp"

#include <gtest/gtest.h>

namespace cmon::http {
namespace {

TEST(AcceptsGzip, Table) {
    const struct {
        const char* header;
        bool gzip;
    } cases[] = {
        {"", false},
        {"gzip", true},
        {"GZIP", true},
        {"x-gzip", true},
        {"gzip, deflate, br", true},
        {"deflate, br", false},
        {"identity", false},
        {"gzip;q=0", false},
        {"gzip; q=0", false},
        {"gzip;q=0.0", false},
        {"gzip;q=0.000", false},
        {"gzip;Q=0", false},
        {"gzip;q=0.001", true},
        {"gzip;q=0.5", true},
        {"gzip;q=1", true},
        {"gzip;q=1.000", true},
        {"gzip;q=1.5", false},  // invalid q-value: not acceptable
        {"gzip;q=abc", false},
        {"gzip;q=0.0001", false},  // more than three decimals is invalid
        {"*", true},
        {"*;q=0", false},
        {"*, gzip;q=0", false},  // named coding wins over the wildcard
        {"gzip;q=0, *", false},
        {"identity;q=1, *;q=0", false},
        {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
        {" gzip ; q=0.5 ", true},
        {"gzipx", false},
        {",,gzip,,", true},
    };
    for (const auto& c : cases) EXPECT_EQ(accepts_gzip(c.header), c.gzip) << '"' << c.header << '"';
}

TEST(ParseSeconds, Table) {
    EXPECT_EQ(parse_seconds("0"), 0);
    EXPECT_EQ(parse_seconds("60"), 60);
    EXPECT_EQ(parse_seconds("007"), 7);
    EXPECT_EQ(parse_seconds("999999999"), 999999999);
    for (const char* bad :
         {"", "-1", "-0", "+5", "1.5", "1e3", " 5", "5 ", "abc", "5s", "1000000000", "99999999999999999999"}) {
        EXPECT_FALSE(parse_seconds(bad).has_value()) << bad;
    }
}

TEST(QueryParameter, FindsFirstAndHandlesOddShapes) {
    EXPECT_EQ(query_parameter("seconds=60", "seconds"), "60");
    EXPECT_EQ(query_parameter("a=1&seconds=5&seconds=9", "seconds"), "5");
    EXPECT_EQ(query_parameter("seconds", "seconds"), "");
    EXPECT_EQ(query_parameter("seconds=", "seconds"), "");
    EXPECT_FALSE(query_parameter("", "seconds").has_value());
    EXPECT_FALSE(query_parameter("sec=1&secondsx=2", "seconds").has_value());
    EXPECT_EQ(query_parameter("&&seconds=3&", "seconds"), "3");
}

TEST(EtagMatches, WeakComparisonAndLists) {
    EXPECT_TRUE(etag_matches("\"s1-api\"", "\"s1-api\""));
    EXPECT_TRUE(etag_matches("W/\"s1-api\"", "\"s1-api\""));
    EXPECT_TRUE(etag_matches("\"x\", \"s1-api\"", "\"s1-api\""));
    EXPECT_TRUE(etag_matches("*", "\"s1-api\""));
    EXPECT_FALSE(etag_matches("\"s2-api\"", "\"s1-api\""));
    EXPECT_FALSE(etag_matches("s1-api", "\"s1-api\""));
    EXPECT_FALSE(etag_matches("", "\"s1-api\""));
    EXPECT_FALSE(etag_matches("\"s1-api-gz\"", "\"s1-api\""));
}

TEST(DecodePath, Table) {
    EXPECT_EQ(decode_path("/"), "/");
    EXPECT_EQ(decode_path("/qu%65ry"), "/query");
    EXPECT_EQ(decode_path("/a%2Fb"), "/a/b");
    for (const char* bad : {"", "query", "*", "/%", "/%4", "/%zz", "/%00", "/a\x01", "/a\x7f"}) {
        EXPECT_FALSE(decode_path(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace cmon::http
