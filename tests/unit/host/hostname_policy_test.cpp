// The --hostname flag and the choice between kernel, Docker engine and literal names.
#include "sources/host/hostname_policy.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace cmon::sources {
namespace {

using Mode = HostnamePolicy::Mode;

TEST(ParseHostnamePolicy, Keywords) {
    EXPECT_EQ(parse_hostname_policy("auto")->mode, Mode::automatic);
    EXPECT_EQ(parse_hostname_policy("kernel")->mode, Mode::kernel);
    EXPECT_EQ(parse_hostname_policy("docker")->mode, Mode::docker);
    EXPECT_EQ(HostnamePolicy{}.mode, Mode::automatic);  // the default
}

TEST(ParseHostnamePolicy, Literals) {
    for (const std::string& name : std::vector<std::string>{"gpu-box-7", "gpu-box-7.lab.example.org", "build_01", "A",
                                                            std::string(253, 'a'), "Auto", "docker2"}) {
        auto policy = parse_hostname_policy(name);
        ASSERT_TRUE(policy) << name;
        EXPECT_EQ(policy->mode, Mode::literal) << name;
        EXPECT_EQ(policy->literal, name);
    }
}

TEST(ParseHostnamePolicy, RejectsWhatIsNoHostName) {
    for (const std::string& text : std::vector<std::string>{"", " ", "gpu box", "gpu-box\n", "a/b", "<script>",
                                                            "ünïcode", std::string(254, 'a'), std::string("a\0b", 3)}) {
        EXPECT_FALSE(parse_hostname_policy(text)) << text;
    }
}

TEST(ChooseHostname, AutoUsesTheEngineNameOnlyInAContainer) {
    HostnamePolicy automatic;
    EXPECT_TRUE(needs_engine_name(automatic, true));
    EXPECT_FALSE(needs_engine_name(automatic, false));
    EXPECT_EQ(choose_hostname(automatic, "3f1c2a9b7d10", std::string("gpu-box-7"), true), "gpu-box-7");
    // Docker has not answered (yet): the kernel's name rather than nothing.
    EXPECT_EQ(choose_hostname(automatic, "3f1c2a9b7d10", std::nullopt, true), "3f1c2a9b7d10");
    EXPECT_EQ(choose_hostname(automatic, "3f1c2a9b7d10", std::string(), true), "3f1c2a9b7d10");
    // On the host the kernel's name is the host's, even when a (possibly remote) engine calls itself otherwise.
    EXPECT_EQ(choose_hostname(automatic, "gpu-box-7", std::string("other"), false), "gpu-box-7");
}

TEST(ChooseHostname, KernelDockerAndLiteral) {
    HostnamePolicy kernel{Mode::kernel, {}};
    EXPECT_FALSE(needs_engine_name(kernel, true));
    EXPECT_EQ(choose_hostname(kernel, "3f1c2a9b7d10", std::string("gpu-box-7"), true), "3f1c2a9b7d10");

    HostnamePolicy docker{Mode::docker, {}};
    EXPECT_TRUE(needs_engine_name(docker, false));
    EXPECT_EQ(choose_hostname(docker, "laptop", std::string("gpu-box-7"), false), "gpu-box-7");
    EXPECT_EQ(choose_hostname(docker, "laptop", std::nullopt, false), "laptop");

    HostnamePolicy literal{Mode::literal, "front-desk"};
    EXPECT_FALSE(needs_engine_name(literal, true));
    EXPECT_EQ(choose_hostname(literal, "laptop", std::string("gpu-box-7"), true), "front-desk");
}

}  // namespace
}  // namespace cmon::sources
