#include "exporters/health_exporter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cmon::exporters {
namespace {

TEST(HealthExporter, StartingBeforeTheFirstSnapshot) {
    auto json = nlohmann::json::parse(to_health_json(nullptr, false));
    EXPECT_EQ(json["status"], "starting");
    EXPECT_FALSE(healthy(nullptr));
}

TEST(HealthExporter, DegradedNamesTheBrokenSource) {
    model::Snapshot s;
    s.sequence = 7;
    s.sources.push_back({"host", true, "", "", s.time});
    s.sources.push_back({"docker", false, "docker: connection refused", "", std::nullopt});
    auto json = nlohmann::json::parse(to_health_json(&s, true));
    EXPECT_EQ(json["status"], "degraded");
    EXPECT_EQ(json["paused"], true);
    EXPECT_EQ(json["sequence"], 7);
    EXPECT_EQ(json["sources"][1]["name"], "docker");
    EXPECT_EQ(json["sources"][1]["ok"], false);
    EXPECT_EQ(json["sources"][1]["error"], "docker: connection refused");
    EXPECT_FALSE(json["sources"][1].contains("last_success"));
    EXPECT_EQ(json["sources"][0]["last_success"], "1970-01-01T00:00:00.000Z");
    EXPECT_TRUE(healthy(&s));
}

TEST(HealthExporter, AgeOfTheNewestSampleInSeconds) {
    model::Snapshot s;
    s.sequence = 3;
    HealthView view;
    view.paused = true;
    view.age = std::chrono::milliseconds(2750);
    auto json = nlohmann::json::parse(to_health_json(&s, view));
    EXPECT_EQ(json["age_seconds"], 2.75);
    EXPECT_EQ(json["paused"], true);
    EXPECT_EQ(json["sequence"], 3);
    view.age = -std::chrono::milliseconds(5);  // a snapshot stamped after "now" is fresh, not negative
    EXPECT_EQ(nlohmann::json::parse(to_health_json(&s, view))["age_seconds"], 0.0);
    view.age.reset();
    EXPECT_FALSE(nlohmann::json::parse(to_health_json(&s, view)).contains("age_seconds"));
}

TEST(HealthExporter, WithoutSourcesNamesNoErrorsButKeepsTheStatus) {
    model::Snapshot s;
    s.sequence = 9;
    s.sources.push_back({"docker", false, "docker: GET /containers/json: /run/secret.sock refused", "", std::nullopt});
    HealthView view;
    view.sources = false;
    view.age = std::chrono::seconds(1);
    const std::string text = to_health_json(&s, view);
    const auto json = nlohmann::json::parse(text);
    EXPECT_EQ(json["status"], "degraded");  // the status still says something is broken
    EXPECT_FALSE(json.contains("sources"));
    EXPECT_EQ(text.find("secret"), std::string::npos);
    EXPECT_EQ(json["sequence"], 9);
    EXPECT_FALSE(nlohmann::json::parse(to_health_json(nullptr, view)).contains("sources"));
}

}  // namespace
}  // namespace cmon::exporters
