// Router: request values in, response values out; no sockets.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include "exporters/health_exporter.hpp"
#include "fake_provider.hpp"
#include "http/placeholder_page.hpp"

namespace cmon::http {
namespace {

using testing::FakeProvider;
using testing::make_snapshot;

Response call(const Router& router, std::string method, std::string target) {
    Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    return router(request);
}

class RouterTest : public ::testing::Test {
protected:
    FakeProvider provider{make_snapshot(7)};
    Router router{RouterOptions{"Lab <GPU> & \"friends\""}, provider};
};

TEST_F(RouterTest, QueryAnswersJsonWithNoStore) {
    const Response r = call(router, "GET", "/query");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.header("cache-control"), "no-store");
    EXPECT_FALSE(r.payload().empty());
    EXPECT_EQ(provider.last_sequence_read(), 7u);
}

TEST_F(RouterTest, QueryStringIsIgnoredForRouting) {
    EXPECT_EQ(call(router, "GET", "/query?x=1").status, 200);
    EXPECT_EQ(call(router, "GET", "/query?x=%zz").status, 200);
    EXPECT_EQ(call(router, "GET", "/healthz?verbose").status, 200);
    EXPECT_EQ(call(router, "GET", "/?a=b").status, 200);
}

TEST_F(RouterTest, PercentEncodedPathIsDecoded) { EXPECT_EQ(call(router, "GET", "/qu%65ry").status, 200); }

TEST(RouterNoData, QueryIs503BeforeFirstSnapshot) {
    FakeProvider provider;
    const Router router{RouterOptions{}, provider};
    const Response r = call(router, "GET", "/query");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.payload(), R"({"error":"no data collected yet"})");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST(RouterNoData, HealthzIs503BeforeFirstSnapshot) {
    FakeProvider provider;
    const Router router{RouterOptions{}, provider};
    const Response r = call(router, "GET", "/healthz");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.content_type, "application/json");
}

TEST_F(RouterTest, HealthzStatusFollowsHealthy) {
    const Response r = call(router, "GET", "/healthz");
    EXPECT_EQ(r.status, exporters::healthy(provider.latest().get()) ? 200 : 503);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST_F(RouterTest, UnknownPathIs404Json) {
    for (const char* target : {"/nope", "/query/", "/QUERY", "/index.html"}) {
        const Response r = call(router, "GET", target);
        EXPECT_EQ(r.status, 404) << target;
        EXPECT_EQ(r.content_type, "application/json") << target;
        EXPECT_EQ(r.payload(), R"({"error":"not found"})") << target;
    }
}

TEST_F(RouterTest, OtherMethodsAre405WithAllow) {
    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"}) {
        const Response r = call(router, method, "/query");
        EXPECT_EQ(r.status, 405) << method;
        EXPECT_EQ(r.header("Allow"), "GET, HEAD") << method;
    }
}

TEST_F(RouterTest, HeadHasSameHeadersAndNoBody) {
    for (const char* target : {"/query", "/healthz", "/", "/missing", "/api/v1/snapshot", "/metrics"}) {
        const Response get = call(router, "GET", target);
        const Response head = call(router, "HEAD", target);
        EXPECT_EQ(head.status, get.status) << target;
        EXPECT_EQ(head.content_type, get.content_type) << target;
        EXPECT_TRUE(head.payload().empty()) << target;
        EXPECT_EQ(head.header("Content-Length"), std::to_string(get.payload().size())) << target;
        EXPECT_EQ(head.header("Cache-Control"), get.header("Cache-Control")) << target;
    }
}

TEST_F(RouterTest, MalformedTargetIs400) {
    for (const char* target :
         {"", "query", "*", "http://example.com/query", "/%", "/%4", "/%zz", "/q%g1", "/%00", "/a\x01"}) {
        const Response r = call(router, "GET", target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_EQ(r.content_type, "application/json") << target;
    }
}

TEST_F(RouterTest, PageEscapesTitleAndIsSelfContained) {
    const Response r = call(router, "GET", "/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    const std::string_view body = r.payload();
    EXPECT_NE(body.find("<title>Lab &lt;GPU&gt; &amp; &quot;friends&quot;</title>"), std::string::npos);
    EXPECT_EQ(body.find("<GPU>"), std::string::npos);
    EXPECT_NE(body.find("fetch(\"/query\""), std::string::npos);
    EXPECT_NE(body.find("textContent"), std::string::npos);
    EXPECT_EQ(body.find("innerHTML"), std::string::npos);
    EXPECT_EQ(body.find("http://"), std::string::npos);
    EXPECT_EQ(body.find("https://"), std::string::npos);
    EXPECT_EQ(body.find(" src="), std::string::npos);
}

TEST(HtmlEscape, EscapesAllSpecialCharacters) {
    EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    EXPECT_EQ(html_escape(""), "");
    EXPECT_EQ(html_escape("plain"), "plain");
}

}  // namespace
}  // namespace cmon::http
