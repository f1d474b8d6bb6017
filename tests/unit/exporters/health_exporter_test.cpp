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

}  // namespace
}  // namespace cmon::exporters
