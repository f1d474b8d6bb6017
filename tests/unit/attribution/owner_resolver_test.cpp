#include "attribution/owner_resolver.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cmon::attribution {
namespace {

model::ContainerStats container(std::string name, std::map<std::string, std::string> labels = {}) {
    model::ContainerStats c;
    c.id = std::string(64, 'c');
    c.short_id = std::string(12, 'c');
    c.name = std::move(name);
    c.labels = std::move(labels);
    return c;
}

TEST(OwnerResolver, LabelThenPatternThenName) {
    OwnerResolver resolver(OwnerRule{"owner", "^([a-z]+)[-_]"});
    EXPECT_EQ(resolver.owner_of(container("ana-train", {{"owner", "bo"}})), "bo");
    EXPECT_EQ(resolver.owner_of(container("ana-train")), "ana");
    EXPECT_EQ(resolver.owner_of(container("ana_nb")), "ana");
    EXPECT_EQ(resolver.owner_of(container("Jupyter")), "Jupyter") << "no match: the name";
    EXPECT_EQ(resolver.owner_of(container("x", {{"owner", ""}})), "x") << "an empty label falls through";
}

TEST(OwnerResolver, DefaultsToTheOwnerLabelAndTheName) {
    OwnerResolver resolver;
    EXPECT_EQ(resolver.owner_of(container("ana-train", {{"owner", "ana"}})), "ana");
    EXPECT_EQ(resolver.owner_of(container("ana-train", {{"team", "x"}})), "ana-train");
}

TEST(OwnerResolver, OtherLabelName) {
    OwnerResolver resolver(OwnerRule{"com.example.user", ""});
    EXPECT_EQ(resolver.owner_of(container("n", {{"owner", "no"}, {"com.example.user", "cy"}})), "cy");
}

TEST(OwnerResolver, NoLabelRule) {
    OwnerResolver resolver(OwnerRule{"", "^(.*)$"});
    EXPECT_EQ(resolver.owner_of(container("dan", {{"owner", "no"}})), "dan");
}

TEST(OwnerResolver, EmptyCaptureFallsThroughToTheName) {
    OwnerResolver resolver(OwnerRule{"owner", "^([a-z]*)-"});
    EXPECT_EQ(resolver.owner_of(container("-lead")), "-lead");
}

TEST(OwnerResolver, NeverEmpty) {
    OwnerResolver resolver;
    EXPECT_EQ(resolver.owner_of(container("")), std::string(12, 'c'));
}

TEST(OwnerResolver, BadPatternsAreRefusedWithAReason) {
    EXPECT_FALSE(OwnerResolver::pattern_error("").has_value());
    EXPECT_FALSE(OwnerResolver::pattern_error("^([a-z]+)-").has_value());
    const auto none = OwnerResolver::pattern_error("^[a-z]+-");
    ASSERT_TRUE(none.has_value());
    EXPECT_NE(none->find("0 capture groups"), std::string::npos) << *none;
    EXPECT_TRUE(OwnerResolver::pattern_error("^([a-z]+)-(x)").has_value());
    const auto broken = OwnerResolver::pattern_error("^([a-z+");
    ASSERT_TRUE(broken.has_value());
    EXPECT_NE(broken->find("not a regular expression"), std::string::npos) << *broken;
    EXPECT_THROW(OwnerResolver(OwnerRule{"owner", "(a)(b)"}), std::invalid_argument);
}

TEST(OwnerResolver, AssignsEveryContainerOfTheDraft) {
    model::Snapshot draft;
    draft.containers = {container("ana-1"), container("bo-2", {{"owner", "robert"}})};
    OwnerResolver(OwnerRule{"owner", "^([a-z]+)-"}).assign(draft);
    EXPECT_EQ(draft.containers[0].owner, "ana");
    EXPECT_EQ(draft.containers[1].owner, "robert");
}

}  // namespace
}  // namespace cmon::attribution
