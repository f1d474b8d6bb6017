// The machine-facing routes of the Router: /api/v1/snapshot, /api/v1/history, /metrics, /api/v1/events,
// the shared-bytes cache, gzip negotiation, ETags, and the dashboard's static assets.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_provider.hpp"
#include "http/response_head.hpp"
#include "make_request.hpp"
#include "http/router.hpp"
#include "inflate.hpp"

namespace cmon::http {
namespace {

using testing::FakeProvider;
using testing::gunzip;
using testing::make_snapshot;

// A snapshot whose JSON is well over the gzip threshold.
model::SnapshotPtr make_big_snapshot(std::uint64_t sequence) {
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = sequence;
    snapshot->host.hostname = "big-host";
    snapshot->note = "maintenance window on Friday";
    for (int i = 0; i < 30; ++i) {
        model::ContainerStats container;
        container.id = std::string(64, static_cast<char>('a' + i % 6));
        container.short_id = container.id.substr(0, 12);
        container.name = "service-" + std::to_string(i);
        container.image = "registry.example/team/service:" + std::to_string(i);
        container.state = "running";
        container.cpu_percent = i * 1.5;
        snapshot->containers.push_back(container);
    }
    return snapshot;
}

Response get(const Router& router, std::string target, std::string accept_encoding = {},
             std::string if_none_match = {}) {
    Request request = testing::make_request("GET", target);
    request.accept_encoding = std::move(accept_encoding);
    request.if_none_match = std::move(if_none_match);
    return router(request);
}

class ApiRoutes : public ::testing::Test {
protected:
    FakeProvider provider{make_big_snapshot(7)};
    static RouterOptions options() {
        RouterOptions result{"Lab \"GPU\" box"};
        result.version = "1.2.3";
        return result;
    }
    Router router{options(), provider};
};

TEST_F(ApiRoutes, SnapshotIsApiJsonWithTitle) {
    const Response r = get(router, "/api/v1/snapshot");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.header("Cache-Control"), "no-cache");
    EXPECT_EQ(r.header("Vary"), "Accept-Encoding");
    EXPECT_EQ(r.header("Content-Encoding"), "");
    const auto json = nlohmann::json::parse(r.payload());
    EXPECT_EQ(json.at("title"), "Lab \"GPU\" box");
    EXPECT_EQ(json.at("note"), "maintenance window on Friday");
    EXPECT_EQ(json.at("sequence"), 7);
    EXPECT_EQ(json.at("api_version"), 1);
    EXPECT_EQ(json.at("containers").size(), 30u);
    EXPECT_EQ(r.payload().find('\n'), std::string_view::npos);
}

TEST(ApiRoutesNoData, SnapshotAndMetricsAre503BeforeFirstSnapshot) {
    FakeProvider provider;
    const Router router{RouterOptions{}, provider};
    for (const char* target : {"/api/v1/snapshot", "/metrics"}) {
        const Response r = get(router, target);
        EXPECT_EQ(r.status, 503) << target;
        EXPECT_EQ(r.payload(), R"({"error":"no data collected yet"})") << target;
    }
    EXPECT_TRUE(router.latest_event().empty());
}

TEST_F(ApiRoutes, GzipFollowsAcceptEncodingAndInflatesToThePlainBody) {
    const std::string plain(get(router, "/api/v1/snapshot").payload());
    ASSERT_GT(plain.size(), Router::kGzipThreshold);
    for (const char* header : {"gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"}) {
        const Response r = get(router, "/api/v1/snapshot", header);
        EXPECT_EQ(r.header("Content-Encoding"), "gzip") << header;
        EXPECT_EQ(r.header("Vary"), "Accept-Encoding") << header;
        EXPECT_EQ(gunzip(r.payload()), plain) << header;
    }
    for (const char* header : {"", "identity", "gzip;q=0", "deflate", "*;q=0", "gzip;q=0, identity"}) {
        const Response r = get(router, "/api/v1/snapshot", header);
        EXPECT_EQ(r.header("Content-Encoding"), "") << header;
        EXPECT_EQ(r.payload(), plain) << header;
    }
}

TEST(ApiRoutesSmall, SmallBodiesAreNotCompressed) {
    FakeProvider provider{make_snapshot(1)};
    const Router router{RouterOptions{}, provider};
    const Response r = get(router, "/healthz", "gzip");
    EXPECT_EQ(r.header("Content-Encoding"), "");
    const Response q = get(router, "/query", "gzip");
    if (q.payload().size() <= Router::kGzipThreshold) {
        EXPECT_EQ(q.header("Content-Encoding"), "");
    }
}

TEST_F(ApiRoutes, EachSnapshotIsSerializedOncePerFormatAndTheBytesAreShared) {
    const Response a = get(router, "/api/v1/snapshot");
    const Response b = get(router, "/api/v1/snapshot");
    EXPECT_EQ(router.serializations(), 1u);
    EXPECT_EQ(a.payload().data(), b.payload().data());  // the same buffer, not an equal copy
    const Response gz1 = get(router, "/api/v1/snapshot", "gzip");
    const Response gz2 = get(router, "/api/v1/snapshot", "gzip");
    EXPECT_EQ(gz1.payload().data(), gz2.payload().data());
    EXPECT_EQ(router.serializations(), 1u);

    get(router, "/metrics");
    get(router, "/metrics");
    get(router, "/query");
    get(router, "/query");
    EXPECT_EQ(router.serializations(), 3u);
    // SSE reuses the API JSON: one more build (the frame), not a second API serialization.
    const EventFrame e1 = router.latest_event();
    const EventFrame e2 = router.latest_event();
    EXPECT_EQ(e1.head.get(), e2.head.get());
    EXPECT_EQ(router.serializations(), 4u);
    // The frame's JSON is the buffer /api/v1/snapshot sends, not a copy of it.
    ASSERT_NE(e1.data, nullptr);
    EXPECT_EQ(e1.data->data(), a.payload().data());
    EXPECT_EQ(e2.data->data(), a.payload().data());

    provider.publish(make_big_snapshot(8));
    get(router, "/api/v1/snapshot");
    EXPECT_EQ(router.serializations(), 5u);
}

TEST_F(ApiRoutes, EtagAndIfNoneMatchGive304) {
    const Response first = get(router, "/api/v1/snapshot");
    EXPECT_EQ(first.header("ETag"), "\"s7-api\"");
    const Response again = get(router, "/api/v1/snapshot", "", "\"s7-api\"");
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.payload().empty());
    EXPECT_EQ(again.header("ETag"), "\"s7-api\"");
    EXPECT_EQ(again.header("Cache-Control"), "no-cache");

    const Response gzipped = get(router, "/api/v1/snapshot", "gzip");
    EXPECT_EQ(gzipped.header("ETag"), "\"s7-api-gz\"");
    EXPECT_EQ(get(router, "/api/v1/snapshot", "gzip", "W/\"s7-api-gz\"").status, 304);
    EXPECT_EQ(get(router, "/api/v1/snapshot", "gzip", "\"s7-api\"").status, 304);  // same snapshot
    EXPECT_EQ(get(router, "/api/v1/snapshot", "", "\"s6-api\"").status, 200);
    EXPECT_EQ(get(router, "/api/v1/snapshot", "", "\"s7-query\"").status, 200);

    provider.publish(make_big_snapshot(8));
    EXPECT_EQ(get(router, "/api/v1/snapshot", "", "\"s7-api\"").status, 200);

    EXPECT_EQ(get(router, "/query").header("ETag"), "\"s8-query\"");
    EXPECT_EQ(get(router, "/query", "", "\"s8-query\"").status, 304);
}

TEST_F(ApiRoutes, HeadOf304HasNoContentLength) {
    Request request = testing::make_request("HEAD", "/api/v1/snapshot");
    request.if_none_match = "\"s7-api\"";
    const Response r = router(request);
    EXPECT_EQ(r.status, 304);
    std::string head;
    EXPECT_TRUE(write_response_head(head, r, 11, Framing::keep_alive, true).empty());
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST_F(ApiRoutes, MetricsIsPrometheusText) {
    const Response r = get(router, "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.payload().find("cmon_build_info{version=\"1.2.3\"} 1"), std::string_view::npos) << r.payload();
    EXPECT_NE(r.payload().find("cmon_collection_paused 0"), std::string_view::npos);
    const Response gz = get(router, "/metrics", "gzip");
    if (r.payload().size() > Router::kGzipThreshold) {
        EXPECT_EQ(gunzip(gz.payload()), r.payload());
    }
}

TEST_F(ApiRoutes, MetricsReflectsPausedWithoutANewSnapshot) {
    get(router, "/metrics");
    provider.set_paused(true);
    EXPECT_NE(get(router, "/metrics").payload().find("cmon_collection_paused 1"), std::string_view::npos);
}

TEST_F(ApiRoutes, EventsRouteAsksForAStream) {
    const Response r = get(router, "/api/v1/events");
    EXPECT_TRUE(r.event_stream);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/event-stream");
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    EXPECT_EQ(r.header("X-Accel-Buffering"), "no");
}

TEST_F(ApiRoutes, EventFrameIsOneSseEventWithTheApiJson) {
    const EventFrame frame = router.latest_event();
    ASSERT_FALSE(frame.empty());
    EXPECT_EQ(frame.sequence, 7u);
    const std::string text = frame.text();
    EXPECT_EQ(frame.size(), text.size());
    const std::string prefix = "id: 7\nevent: snapshot\ndata: ";
    ASSERT_EQ(text.substr(0, prefix.size()), prefix);
    ASSERT_EQ(text.substr(text.size() - 2), "\n\n");
    const std::string data = text.substr(prefix.size(), text.size() - prefix.size() - 2);
    EXPECT_EQ(data.find('\n'), std::string::npos);
    EXPECT_EQ(data, get(router, "/api/v1/snapshot").payload());
}

TEST_F(ApiRoutes, EventsAskForDeltasWithDeltaOne) {
    EXPECT_TRUE(get(router, "/api/v1/events?delta=1").event_deltas);
    EXPECT_FALSE(get(router, "/api/v1/events?delta=0").event_deltas);
    EXPECT_FALSE(get(router, "/api/v1/events").event_deltas);
    const Response bad = get(router, "/api/v1/events?delta=yes");
    EXPECT_EQ(bad.status, 400);
    EXPECT_FALSE(bad.event_stream);
}

// make_big_snapshot with one id per container, as Docker gives (a delta names containers by id).
std::shared_ptr<model::Snapshot> make_unique_ids_snapshot(std::uint64_t sequence) {
    auto snapshot = std::const_pointer_cast<model::Snapshot>(make_big_snapshot(sequence));
    for (std::size_t i = 0; i < snapshot->containers.size(); ++i) {
        auto& container = snapshot->containers[i];
        container.id = container.id.substr(0, 62) + static_cast<char>('a' + i / 16) + static_cast<char>('a' + i % 16);
    }
    return snapshot;
}

TEST(ApiRoutesDelta, AStreamThatSentTheSequenceBeforeGetsTheDeltaOthersTheSnapshot) {
    FakeProvider provider{make_unique_ids_snapshot(7)};
    const Router router{RouterOptions{}, provider};
    const std::string snapshot_head = "id: 8\nevent: snapshot\ndata: ";
    const std::string delta_head = "id: 8\nevent: delta\ndata: ";
    EXPECT_EQ(router.latest_event(std::nullopt).text().rfind("id: 7\nevent: snapshot\ndata: ", 0), 0u);
    auto next = make_unique_ids_snapshot(8);
    next->host.cpu_busy_percent = 42.5;
    provider.publish(next);

    const EventFrame delta = router.latest_event(7);
    const std::string text = delta.text();
    ASSERT_EQ(text.rfind(delta_head, 0), 0u) << text.substr(0, 60);
    ASSERT_EQ(text.substr(text.size() - 2), "\n\n");
    const auto json = nlohmann::json::parse(text.substr(delta_head.size(), text.size() - delta_head.size() - 2));
    EXPECT_EQ(json.at("base"), 7);
    EXPECT_EQ(json.at("sequence"), 8);
    EXPECT_EQ(json.at("host").at("cpu_busy_percent"), 42.5);
    EXPECT_TRUE(json.at("containers_changed").empty());
    const std::string full = get(router, "/api/v1/snapshot").payload().data();
    EXPECT_LT(text.size() * 2, full.size()) << "30 unchanged containers are not sent again";
    EXPECT_EQ(router.latest_event(7).data.get(), delta.data.get()) << "built once, shared by every stream";

    // A stream that missed sequence 7, and one that takes no deltas: the whole snapshot.
    EXPECT_EQ(router.latest_event(6).text().rfind(snapshot_head, 0), 0u);
    EXPECT_EQ(router.latest_event(std::nullopt).text().rfind(snapshot_head, 0), 0u);
}

// History: ten snapshots one second apart in a 60 s ring.
class HistoryRoute : public ::testing::Test {
protected:
    HistoryRoute() {
        const auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
        const auto mono = std::chrono::steady_clock::time_point(std::chrono::hours(1));
        for (int i = 1; i <= 10; ++i) {
            auto snapshot = std::make_shared<model::Snapshot>();
            snapshot->sequence = static_cast<std::uint64_t>(i);
            snapshot->time = wall + std::chrono::seconds(i);
            snapshot->monotonic = mono + std::chrono::seconds(i);
            history.add(snapshot);
            provider.publish(snapshot);
        }
    }
    std::size_t points(const std::string& target) {
        const Response r = get(router, target);
        EXPECT_EQ(r.status, 200) << target;
        return nlohmann::json::parse(r.payload()).at("times").size();
    }

    FakeProvider provider;
    sampling::MetricHistory history{std::chrono::seconds(60)};
    Router router{RouterOptions{}, provider, &history};
};

TEST_F(HistoryRoute, DefaultIsTheWholeWindowAndLargerIsClamped) {
    EXPECT_EQ(points("/api/v1/history"), 10u);
    EXPECT_EQ(points("/api/v1/history?seconds=60"), 10u);
    EXPECT_EQ(points("/api/v1/history?seconds=100000"), 10u);
    EXPECT_EQ(points("/api/v1/history?other=1"), 10u);
}

TEST_F(HistoryRoute, SecondsNarrowsTheWindow) {
    EXPECT_EQ(points("/api/v1/history?seconds=3"), 4u);
    EXPECT_EQ(points("/api/v1/history?x=y&seconds=3"), 4u);
    EXPECT_EQ(points("/api/v1/history?seconds=0"), 1u);
}

TEST_F(HistoryRoute, MalformedOrNegativeSecondsIs400Json) {
    for (const char* target : {"/api/v1/history?seconds=-1", "/api/v1/history?seconds=abc",
                               "/api/v1/history?seconds=", "/api/v1/history?seconds", "/api/v1/history?seconds=1.5",
                               "/api/v1/history?seconds=99999999999999999999"}) {
        const Response r = get(router, target);
        EXPECT_EQ(r.status, 400) << target;
        EXPECT_EQ(r.content_type, "application/json") << target;
        EXPECT_NE(r.payload().find("\"error\""), std::string_view::npos) << target;
    }
}

TEST(HistoryRouteMissing, WithoutAHistoryIs404) {
    FakeProvider provider{make_snapshot(1)};
    const Router router{RouterOptions{}, provider};
    EXPECT_EQ(get(router, "/api/v1/history").status, 404);
}

// Static assets from an injected lookup, as web/ provides them.
class AssetRoutes : public ::testing::Test {
protected:
    static std::optional<StaticAsset> lookup(std::string_view path) {
        if (path == "/" || path == "/index.html") {
            return StaticAsset{"text/html; charset=utf-8", "<!doctype html><p>dash", "", false};
        }
        if (path == "/app-ABC123.js") return StaticAsset{"text/javascript; charset=utf-8", "js!", "GZ-BYTES", true};
        return std::nullopt;
    }
    FakeProvider provider{make_snapshot(1)};
    static RouterOptions options() {
        RouterOptions result{"t"};
        result.assets = &AssetRoutes::lookup;
        return result;
    }
    Router router{options(), provider};
};

TEST_F(AssetRoutes, IndexIsTheDashboardWithNoCacheAndPolicy) {
    const Response r = get(router, "/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(r.payload(), "<!doctype html><p>dash");
    EXPECT_EQ(r.header("Cache-Control"), "no-cache");
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.header("Content-Security-Policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'");
}

TEST_F(AssetRoutes, HashedAssetsAreImmutableAndUsePrecompressedGzip) {
    const Response plain = get(router, "/app-ABC123.js");
    EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(plain.header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
    EXPECT_EQ(plain.payload(), "js!");
    const Response gz = get(router, "/app-ABC123.js", "gzip");
    EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
    EXPECT_EQ(gz.payload(), "GZ-BYTES");
    EXPECT_EQ(get(router, "/app-ABC123.js", "gzip;q=0").payload(), "js!");
}

TEST_F(AssetRoutes, ApiRoutesWinAndUnknownPathsAre404) {
    EXPECT_EQ(get(router, "/query").content_type, "application/json");
    EXPECT_EQ(get(router, "/nope.js").status, 404);
}

}  // namespace
}  // namespace cmon::http
