// The read-only allowlist: what a DockerRequest can express, id validation, and that DockerClient offers
// no way to send anything but an allowlisted GET.
#include "sources/docker/docker_request.hpp"

#include <gtest/gtest.h>
#include <string>
#include <type_traits>
#include <vector>

#include "sources/docker/docker_client.hpp"
#include "util/error.hpp"

namespace cmon::sources {
namespace {

// Compile-time: no public constructor from a path/method, no default request, no generic client call.
static_assert(!std::is_default_constructible_v<DockerRequest>);
static_assert(!std::is_constructible_v<DockerRequest, std::string>);
static_assert(!std::is_constructible_v<DockerRequest, const char*>);
static_assert(!std::is_constructible_v<DockerRequest, DockerEndpoint, std::string, std::string>);
static_assert(!std::is_constructible_v<DockerRequest, DockerEndpoint>);
// Requires-expressions must depend on a template parameter to be checked as "ill-formed means false".
template <class C>
concept GetsByPath = requires(C& c) {
    c.get(std::string("/containers/x/kill"));
};
template <class C>
concept GetsByLiteral = requires(C& c) {
    c.get("/containers/x/kill");
};
template <class C>
concept GetsWithMethod = requires(C& c) {
    c.get("POST", "/containers/x/kill");
};
template <class C>
concept GetsByEndpointOnly = requires(C& c) {
    c.get(DockerEndpoint::containers_list);
};
template <class C>
concept HasGenericRequest = requires(C& c) {
    c.request("POST", "/containers/x/kill");
};
template <class C>
concept HasPost = requires(C& c) {
    c.post("/containers/x/kill");
};
template <class R>
concept MethodSettable = requires(R& r) {
    r.set_method("POST");
};
template <class R>
concept PathSettable = requires(R& r) {
    r.set_path("/containers/x/kill");
};
static_assert(!GetsByPath<DockerClient>);
static_assert(!GetsByLiteral<DockerClient>);
static_assert(!GetsWithMethod<DockerClient>);
static_assert(!GetsByEndpointOnly<DockerClient>);
static_assert(!HasGenericRequest<DockerClient>);
static_assert(!HasPost<DockerClient>);
static_assert(!MethodSettable<DockerRequest>);
static_assert(!PathSettable<DockerRequest>);
static_assert(DockerRequest::method() == "GET");

constexpr const char* kId = "43af322048134db667ca58aa65fc893d5ef71ee2cb44a23fa8fdfc4523c079c5";

TEST(DockerRequest, Targets) {
    EXPECT_EQ(DockerRequest::version().target("1.41"), "/version");
    EXPECT_EQ(DockerRequest::info().target("1.41"), "/v1.41/info");
    EXPECT_EQ(DockerRequest::containers_list().target("1.45"), "/v1.45/containers/json?all=0");
    EXPECT_EQ(DockerRequest::container_inspect(kId).target("1.41"), std::string("/v1.41/containers/") + kId + "/json");
    EXPECT_EQ(DockerRequest::container_stats("web_1").target("1.41"),
              "/v1.41/containers/web_1/stats?stream=false&one-shot=true");
    EXPECT_EQ(DockerRequest::container_top("a.b-c").target("1.41"), "/v1.41/containers/a.b-c/top");
    EXPECT_EQ(DockerRequest::events(10'000000007, 20'500000000).target("1.41"),
              "/v1.41/events?since=10.000000007&until=20.500000000");
    EXPECT_EQ(DockerRequest::events(-5, 0).target(""), "/events?since=0.000000000&until=0.000000000");
    EXPECT_EQ(DockerRequest::event_stream(1765000000'123456789).target("1.41"), "/v1.41/events?since=1765000000.123456789");
    EXPECT_EQ(DockerRequest::containers_list().path(), "/containers/json");
    EXPECT_EQ(DockerRequest::container_inspect("x").endpoint(), DockerEndpoint::container_inspect);
}

TEST(DockerRequest, EveryEndpointIsAReadOnlyPath) {
    const DockerRequest all[] = {DockerRequest::version(),
                                 DockerRequest::info(),
                                 DockerRequest::containers_list(),
                                 DockerRequest::container_inspect(kId),
                                 DockerRequest::container_stats(kId),
                                 DockerRequest::container_top(kId),
                                 DockerRequest::events(0, 1),
                                 DockerRequest::event_stream(0)};
    for (const auto& r : all) {
        const std::string& p = r.path();
        bool allowed = p == "/version" || p == "/info" || p == "/containers/json" || p == "/events" ||
                       p == std::string("/containers/") + kId + "/json" ||
                       p == std::string("/containers/") + kId + "/stats" ||
                       p == std::string("/containers/") + kId + "/top";
        EXPECT_TRUE(allowed) << p;
    }
}

TEST(ContainerRefValidation, AcceptsIdsAndNames) {
    EXPECT_TRUE(is_valid_container_ref(kId));
    EXPECT_TRUE(is_valid_container_ref("43af32204813"));
    EXPECT_TRUE(is_valid_container_ref("my_app-1.web"));
    EXPECT_TRUE(is_valid_container_ref(std::string(128, 'a')));
}

TEST(ContainerRefValidation, RejectsAnythingThatCouldBendThePath) {
    for (const std::string& bad : std::vector<std::string>{
             "", "../../containers/x/kill", "x/kill", "x?force=1", "x#y", "x y", "x%2Fkill", ".hidden", "-flag", "_x",
             "x\n", "x\r\nHost: evil", "/x", std::string(129, 'a'), std::string("a\0b", 3), "ä"}) {
        EXPECT_FALSE(is_valid_container_ref(bad)) << bad;
        EXPECT_THROW(DockerRequest::container_inspect(bad), util::Error) << bad;
        EXPECT_THROW(DockerRequest::container_stats(bad), util::Error) << bad;
        EXPECT_THROW(DockerRequest::container_top(bad), util::Error) << bad;
    }
}

TEST(ApiVersions, Compare) {
    EXPECT_LT(compare_api_versions("1.41", "1.45"), 0);
    EXPECT_GT(compare_api_versions("1.50", "1.45"), 0);
    EXPECT_GT(compare_api_versions("1.100", "1.45"), 0);  // numeric, not lexical
    EXPECT_EQ(compare_api_versions("1.45", "1.45"), 0);
    EXPECT_LT(compare_api_versions("1.9", "1.10"), 0);
    EXPECT_GT(compare_api_versions("2.0", "1.45"), 0);
}

}  // namespace
}  // namespace cmon::sources
