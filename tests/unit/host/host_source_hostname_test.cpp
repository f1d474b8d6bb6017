// HostSource in a container without --uts=host and --network: the hostname policy and pid 1's network
// namespace (tests/fixtures/host/in-container), and on a host (debian12-vm).
#include <filesystem>
#include <gtest/gtest.h>
#include <optional>
#include <string>

#include "sources/host/host_source.hpp"

namespace cmon::sources {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CMON_FIXTURES_DIR) / "host";

HostPaths paths_under(const std::filesystem::path& root) {
    HostPaths paths;
    paths.proc = root / "proc";
    paths.sys = root / "sys";
    return paths;
}

// An engine-name lookup that counts its calls.
struct FakeEngine {
    std::optional<std::string> name;
    int calls = 0;
    EngineNameLookup lookup() {
        return [this] {
            ++calls;
            return name;
        };
    }
};

model::HostStats collect(const std::filesystem::path& root, HostSourceOptions options) {
    HostSource source(paths_under(root), std::move(options));
    model::Snapshot draft;
    source.collect(draft);
    return draft.host;
}

HostSourceOptions in_container(HostnamePolicy policy, FakeEngine& engine) {
    HostSourceOptions options;
    options.hostname = std::move(policy);
    options.engine_name = engine.lookup();
    options.own_root = kFixtures / "in-container" / "own";
    return options;
}

TEST(HostSourceInContainer, AutoShowsTheEngineNameAndTheHostIp) {
    FakeEngine engine{"gpu-box-7"};
    auto host = collect(kFixtures / "in-container", in_container({}, engine));
    EXPECT_EQ(host.hostname, "gpu-box-7");
    EXPECT_EQ(engine.calls, 1);
    // Our own namespace has only loopback; pid 1's (the host's) has eth0 with the default route.
    EXPECT_EQ(host.primary_ipv4, "192.0.2.2");
}

TEST(HostSourceInContainer, AutoFallsBackToTheKernelWhileDockerIsSilent) {
    FakeEngine engine{std::nullopt};
    EXPECT_EQ(collect(kFixtures / "in-container", in_container({}, engine)).hostname, "3f1c2a9b7d10");
    EXPECT_EQ(engine.calls, 1);

    HostSourceOptions no_docker = in_container({}, engine);
    no_docker.engine_name = nullptr;  // a remote engine: the app gives auto no lookup
    EXPECT_EQ(collect(kFixtures / "in-container", no_docker).hostname, "3f1c2a9b7d10");
}

TEST(HostSourceInContainer, KernelAndLiteralNeverAskDocker) {
    FakeEngine engine{"gpu-box-7"};
    EXPECT_EQ(collect(kFixtures / "in-container", in_container({HostnamePolicy::Mode::kernel, {}}, engine)).hostname,
              "3f1c2a9b7d10");
    EXPECT_EQ(
        collect(kFixtures / "in-container", in_container({HostnamePolicy::Mode::literal, "desk"}, engine)).hostname,
        "desk");
    EXPECT_EQ(engine.calls, 0);
}

TEST(HostSourceInContainer, EveryCollectAsksTheCachingLookup) {
    FakeEngine engine{"gpu-box-7"};
    HostSource source(paths_under(kFixtures / "in-container"), in_container({}, engine));
    model::Snapshot draft;
    source.collect(draft);
    engine.name = "renamed";  // the lookup decides when to ask Docker again; HostSource does not cache
    source.collect(draft);
    EXPECT_EQ(draft.host.hostname, "renamed");
    EXPECT_EQ(engine.calls, 2);
}

TEST(HostSourceOnHost, AutoKeepsTheKernelNameAndDockerPolicyAsks) {
    FakeEngine engine{"engine-name"};
    HostSourceOptions options;
    options.engine_name = engine.lookup();
    options.own_root = kFixtures / "debian12-vm";  // a host: no marker file, no /etc/hostname mount
    EXPECT_EQ(collect(kFixtures / "debian12-vm", options).hostname, "vm");
    EXPECT_EQ(engine.calls, 0);

    options.hostname = {HostnamePolicy::Mode::docker, {}};
    EXPECT_EQ(collect(kFixtures / "debian12-vm", options).hostname, "engine-name");
    EXPECT_EQ(engine.calls, 1);
}

}  // namespace
}  // namespace cmon::sources
