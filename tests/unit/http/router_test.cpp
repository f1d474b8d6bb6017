// Router: request values in, response values out; no sockets.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include "exporters/health_exporter.hpp"
#include <nlohmann/json.hpp>

#include "fake_provider.hpp"
#include "fakes/fake_clock.hpp"
#include "http/request_parsing.hpp"
#include "http/response_head.hpp"
#include "http/static_assets.hpp"
#include "make_request.hpp"

namespace cmon::http {
namespace {

using testing::FakeProvider;
using testing::make_snapshot;

Response call(const Router& router, std::string method, std::string target) {
    return router(testing::make_request(std::move(method), target));
}

class RouterTest : public ::testing::Test {
protected:
    // A fixed clock: /healthz's age_seconds would otherwise differ between a GET and its HEAD.
    RouterOptions options() const {
        RouterOptions result{"Lab"};
        result.assets = embedded_assets();
        result.clock = &clock;
        return result;
    }
    cmon::testing::FakeClock clock;
    FakeProvider provider{make_snapshot(7)};
    Router router{options(), provider};
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
    for (const char* target : {"/nope", "/query/", "/QUERY", "/index.htm"}) {
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

// HEAD is shaped where the response is written: the same head as GET's, no body after it.
TEST_F(RouterTest, HeadHasTheGetHeadAndNoBody) {
    for (const char* target : {"/query", "/healthz", "/", "/missing", "/api/v1/snapshot", "/metrics", "/api/v1/events"}) {
        const Response get = call(router, "GET", target);
        const Response head = call(router, "HEAD", target);
        const Framing framing = get.event_stream ? Framing::until_close : Framing::keep_alive;
        std::string get_head;
        std::string head_head;
        const std::string_view get_body = write_response_head(get_head, get, 11, framing);
        EXPECT_TRUE(write_response_head(head_head, head, 11, framing, true).empty()) << target;
        EXPECT_EQ(head_head, get_head) << target;
        EXPECT_EQ(get_body, get.payload()) << target;
        if (!get.event_stream) {
            EXPECT_NE(get_head.find("Content-Length: " + std::to_string(get.payload().size()) + "\r\n"),
                      std::string::npos)
                << target;
        }
    }
}

TEST(ParseTarget, MalformedTargetsAreRefused) {
    for (const char* target :
         {"", "query", "*", "http://example.com/query", "/%", "/%4", "/%zz", "/q%g1", "/%00", "/a\x01"}) {
        EXPECT_FALSE(parse_target(target).has_value()) << target;
    }
    const auto parsed = parse_target("/api/v1/%73napshot?x=%41");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->path, "/api/v1/snapshot");
    EXPECT_EQ(parsed->query, "x=%41");  // decoded per parameter by its reader
    EXPECT_EQ(parse_target("/healthz")->query, "");
}

TEST(WakesCollection, ViewersWakeProbesAndHeadDoNot) {
    for (const char* target : {"/", "/query", "/metrics", "/api/v1/snapshot", "/api/v1/history?seconds=60",
                               "/api/v1/events", "/qu%65ry"}) {
        EXPECT_TRUE(wakes_collection(testing::make_request("GET", target))) << target;
        EXPECT_FALSE(wakes_collection(testing::make_request("HEAD", target))) << target;
    }
    for (const char* target : {"/healthz", "/%68ealthz", "/healthz?x=1", "/app.js", "/missing"}) {
        EXPECT_FALSE(wakes_collection(testing::make_request("GET", target))) << target;
    }
    EXPECT_FALSE(wakes_collection(testing::make_request("POST", "/query")));
}

TEST(RouterHealth, SaysPausedSequenceAndAgeFromTheClock) {
    cmon::testing::FakeClock clock;
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = 41;
    snapshot->monotonic = clock.steady_now();
    FakeProvider provider{snapshot};
    provider.set_paused(true);
    RouterOptions options;
    options.clock = &clock;
    const Router router{options, provider};
    clock.advance(std::chrono::milliseconds(12500));
    const auto json = nlohmann::json::parse(call(router, "GET", "/healthz").payload());
    EXPECT_EQ(json["paused"], true);
    EXPECT_EQ(json["sequence"], 41);
    EXPECT_EQ(json["age_seconds"], 12.5);
    EXPECT_TRUE(json.contains("sources"));
    EXPECT_EQ(provider.touches(), 0);  // the router never touches; the session decides who wakes
}

TEST(RouterHealth, AnonymousCallerGetsNoSourceDetails) {
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = 3;
    snapshot->sources.push_back({"docker", false, "docker: GET /containers/json: connection refused", "", std::nullopt});
    FakeProvider provider{snapshot};
    const Router router{RouterOptions{}, provider};
    Request anonymous = testing::make_request("GET", "/healthz");
    anonymous.authenticated = false;
    const Response r = router(anonymous);
    EXPECT_EQ(r.status, 200);
    const auto json = nlohmann::json::parse(r.payload());
    EXPECT_EQ(json["status"], "degraded");
    EXPECT_FALSE(json.contains("sources"));
    EXPECT_EQ(std::string(r.payload()).find("refused"), std::string::npos);
    const auto full = nlohmann::json::parse(call(router, "GET", "/healthz").payload());
    EXPECT_EQ(full["sources"][0]["error"], "docker: GET /containers/json: connection refused");
}

TEST(RouterPage, TheEmbeddedDashboardIsServedAtTheRoot) {
    FakeProvider provider{make_snapshot(1)};
    RouterOptions options{"Lab"};
    options.assets = embedded_assets();
    const Router router{options, provider};
    const Response r = call(router, "GET", "/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(r.header("Cache-Control"), "no-cache");
    EXPECT_NE(r.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
    EXPECT_NE(std::string(r.payload()).find("<html"), std::string::npos);
}

TEST(RouterPage, WithoutAssetsTheRootIsNotFound) {
    FakeProvider provider{make_snapshot(1)};
    const Router router{RouterOptions{}, provider};
    EXPECT_EQ(call(router, "GET", "/").status, 404);
}

}  // namespace
}  // namespace cmon::http
