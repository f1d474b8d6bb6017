// The router's seam for another pipeline (`container-monitor fleet`): extra routes are asked first, may
// fall through, and index_path picks the asset that answers "/".
#include <gtest/gtest.h>

#include "fake_provider.hpp"
#include "http/router.hpp"

namespace cmon::http {
namespace {

StaticAsset page(std::string_view text) { return StaticAsset{"text/html; charset=utf-8", text, {}, false}; }

TEST(RouterExtraRoutes, AskedFirstAndMayFallThrough) {
    testing::FakeProvider provider(testing::make_snapshot(1));
    RouterOptions options;
    int asked = 0;
    options.extra_routes = [&asked](const Request&, std::string_view path, std::string_view query) -> std::optional<Response> {
        ++asked;
        if (path == "/api/v1/fleet") {
            Response r;
            r.content_type = "application/json";
            r.body = "{\"q\":\"" + std::string(query) + "\"}";
            return r;
        }
        if (path == "/metrics") return error_response(404, "not served here");
        return std::nullopt;
    };
    const Router router(std::move(options), provider);
    const Response fleet = router(Request{"GET", "/api/v1/fleet", "x=1", "", ""});
    EXPECT_EQ(fleet.status, 200);
    EXPECT_EQ(fleet.payload(), "{\"q\":\"x=1\"}");
    EXPECT_EQ(router(Request{"GET", "/metrics", "", "", ""}).status, 404);  // overrides a built-in route
    EXPECT_EQ(router(Request{"GET", "/query", "", "", ""}).status, 200);  // falls through to the built-in
    EXPECT_EQ(asked, 3);
    // HEAD is answered like GET here; the session writes the head without the body (write_response_head).
    const Response head = router(Request{"HEAD", "/api/v1/fleet", "", "", ""});
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.payload(), "{\"q\":\"\"}");
}

TEST(RouterExtraRoutes, IndexPathChoosesThePage) {
    testing::FakeProvider provider(testing::make_snapshot(1));
    RouterOptions options;
    options.assets = [](std::string_view path) -> std::optional<StaticAsset> {
        if (path == "/" || path == "/index.html") return page("dashboard");
        if (path == "/fleet.html") return page("fleet");
        return std::nullopt;
    };
    RouterOptions fleet_options = options;
    fleet_options.index_path = "/fleet.html";
    EXPECT_EQ(Router(options, provider)(Request{"GET", "/", "", "", ""}).payload(), "dashboard");
    EXPECT_EQ(Router(fleet_options, provider)(Request{"GET", "/", "", "", ""}).payload(), "fleet");
}

}  // namespace
}  // namespace cmon::http
