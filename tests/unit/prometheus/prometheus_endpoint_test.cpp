#include "sources/prometheus/prometheus_endpoint.hpp"

#include <gtest/gtest.h>

#include "sources/prometheus/duration_parser.hpp"
#include "sources/prometheus/prometheus_client.hpp"

namespace cmon::sources {
namespace {

TEST(PrometheusEndpoint, Urls) {
    auto e = parse_prometheus_url("http://127.0.0.1:9090");
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->tls);
    EXPECT_EQ(e->host, "127.0.0.1");
    EXPECT_EQ(e->port, "9090");
    EXPECT_EQ(e->path_prefix, "");
    EXPECT_EQ(e->display, "http://127.0.0.1:9090");

    e = parse_prometheus_url("https://thanos.lab.example/prometheus/");
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->tls);
    EXPECT_EQ(e->port, "443");
    EXPECT_EQ(e->path_prefix, "/prometheus");

    e = parse_prometheus_url("http://ana:s3cret@[::1]:8428/select/0/prometheus");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->host, "::1");
    EXPECT_EQ(e->port, "8428");
    EXPECT_EQ(e->user, "ana");
    EXPECT_EQ(e->password, "s3cret");
    EXPECT_EQ(e->display, "http://[::1]:8428/select/0/prometheus");  // no credentials in messages
    EXPECT_EQ(e->display.find("s3cret"), std::string::npos);

    e = parse_prometheus_url("prom:9090");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->host, "prom");

    for (const char* bad : {"", "ftp://x", "http://", "http://:9090", "http://h:0", "http://h:70000", "http://h:9a",
                            "http://h/p?q=1", "http://[::1"}) {
        EXPECT_FALSE(parse_prometheus_url(bad)) << bad;
    }
}

TEST(PrometheusEndpoint, BasicAuthorizationIsRfc7617) {
    EXPECT_EQ(basic_authorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(basic_authorization("a", ""), "Basic YTo=");
    EXPECT_EQ(basic_authorization("ab", "c"), "Basic YWI6Yw==");
    EXPECT_EQ(basic_authorization("ab", "cd"), "Basic YWI6Y2Q=");
}

TEST(PrometheusEndpoint, UrlEncoding) {
    EXPECT_EQ(url_encode("up{job=\"a b\"}"), "up%7Bjob%3D%22a%20b%22%7D");
    EXPECT_EQ(url_encode("a-_.~Z9"), "a-_.~Z9");
}

TEST(DurationParser, PrometheusDurations) {
    EXPECT_EQ(parse_duration_seconds("90s"), 90);
    EXPECT_EQ(parse_duration_seconds("30m"), 1800);
    EXPECT_EQ(parse_duration_seconds("7d"), 7 * 86400);
    EXPECT_EQ(parse_duration_seconds("2w"), 14 * 86400);
    EXPECT_EQ(parse_duration_seconds("1d12h"), 36 * 3600);
    EXPECT_EQ(parse_duration_seconds("1h30m15s"), 5415);
    for (const char* bad : {"", "7", "d", "7x", "30m1h", "1h1h", "500ms", "0s", "-1d", "1.5h", "7d "}) {
        EXPECT_FALSE(parse_duration_seconds(bad)) << bad;
    }
}

}  // namespace
}  // namespace cmon::sources
