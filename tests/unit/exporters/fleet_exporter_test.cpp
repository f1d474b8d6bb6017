// /api/v1/fleet JSON and the `report` formats on hand-built values.
#include "exporters/fleet_exporter.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "exporters/usage_report_exporter.hpp"

namespace cmon::exporters {
namespace {

model::FleetSnapshot small_fleet() {
    model::FleetSnapshot fleet;
    fleet.generated_unix = 1700000010;
    fleet.data_unix = 1700000000;
    fleet.prometheus = "http://127.0.0.1:9090";
    model::FleetServer up;
    up.name = "gpu-a";
    up.instance = "10.0.0.1:727";
    up.up = true;
    up.cpu_busy_percent = 12.5;
    model::FleetGpu gpu;
    gpu.gpu = "0";
    gpu.uuid = "GPU-1";
    gpu.memory_used_bytes = 100;
    gpu.holders.push_back({"ana-train", std::string(64, 'a'), "ana", 100, 50.0, false, std::nullopt, 1});
    up.gpus.push_back(gpu);
    model::FleetServer down;
    down.name = "gpu-b";
    down.last_data_unix = 1699990000;
    fleet.servers = {up, down};
    fleet.free_gpus.push_back({"gpu-a", "1", std::string("2"), "GPU-2", "A100", 1000, 2000, std::nullopt});
    model::OwnerUsage ana;
    ana.owner = "ana";
    ana.today.held = 7200;
    ana.today.busy = 1800;
    ana.holding = {"gpu-a/0"};
    fleet.owners.push_back(ana);
    return fleet;
}

TEST(FleetExporter, ShapeAndMissingValues) {
    const auto j = nlohmann::json::parse(to_fleet_json(small_fleet()));
    EXPECT_EQ(j["api_version"], 1);
    EXPECT_FALSE(j.contains("error"));
    EXPECT_EQ(j["data_unix"], 1700000000);
    ASSERT_EQ(j["servers"].size(), 2u);
    EXPECT_EQ(j["servers"][0]["cpu_busy_percent"], 12.5);
    EXPECT_FALSE(j["servers"][0].contains("memory_used_bytes"));  // missing, not zero
    EXPECT_EQ(j["servers"][0]["gpus"][0]["holders"][0]["owner"], "ana");
    EXPECT_EQ(j["servers"][0]["gpus"][0]["holders"][0]["sm_percent"], 50.0);
    EXPECT_FALSE(j["servers"][0]["gpus"][0]["holders"][0].contains("idle_since_unix"));
    EXPECT_FALSE(j["servers"][1]["up"]);
    EXPECT_EQ(j["servers"][1]["last_data_unix"], 1699990000);
    EXPECT_EQ(j["free_gpus"][0]["mig_instance"], "2");
    EXPECT_FALSE(j["free_gpus"][0].contains("utilization_percent"));
    EXPECT_EQ(j["owners"][0]["today"]["held_seconds"], 7200);
    EXPECT_DOUBLE_EQ(j["owners"][0]["today"]["efficiency"].get<double>(), 0.25);
    EXPECT_FALSE(j["owners"][0]["week"].contains("held_seconds"));
    EXPECT_FALSE(j["owners"][0]["week"].contains("efficiency"));
}

TEST(FleetExporter, ErrorIsCarried) {
    auto fleet = small_fleet();
    fleet.error = "prometheus: GET /api/v1/query: connection refused (http://127.0.0.1:9090)";
    const auto j = nlohmann::json::parse(to_fleet_json(fleet));
    EXPECT_EQ(j["error"], *fleet.error);
    EXPECT_EQ(j["servers"].size(), 2u);  // the last good answer stays on the page
}

model::UsageReport report_by(const std::string& by) {
    model::UsageReport r;
    r.by = by;
    r.window_seconds = 7 * 86400;
    r.end_unix = 1700000000;
    model::UsageRow ana;
    ana.owner = "ana";
    ana.container = "ana, \"big\" run";
    ana.server = "gpu-a";
    ana.seconds = {7200.0, 3600.0, 0.0};
    model::UsageRow bob;
    bob.owner = "bob";
    bob.container = "bob-nb";
    bob.server = "gpu-b";
    bob.seconds = {3600.0, std::nullopt, std::nullopt};
    r.rows = {ana, bob};
    return r;
}

TEST(UsageReportExporter, TableInGpuHours) {
    const std::string text = to_report_table(report_by("owner"));
    EXPECT_NE(text.find("GPU-hours by owner over the last 7 d"), std::string::npos) << text;
    EXPECT_NE(text.find("ana          2.00        1.00             0.00         50%"), std::string::npos) << text;
    EXPECT_NE(text.find("bob          1.00           -                -           -"), std::string::npos) << text;
}

TEST(UsageReportExporter, CsvQuotesAndKeys) {
    const std::string csv = to_report_csv(report_by("container"));
    EXPECT_EQ(csv,
              "server,container,owner,gpu_hours_held,gpu_hours_busy,gpu_hours_idle_held,efficiency_percent\r\n"
              "gpu-a,\"ana, \"\"big\"\" run\",ana,2.0000,1.0000,0.0000,50.0\r\n"
              "gpu-b,bob-nb,bob,1.0000,,,\r\n");
}

TEST(UsageReportExporter, JsonInSeconds) {
    const auto j = nlohmann::json::parse(to_report_json(report_by("server")));
    EXPECT_EQ(j["by"], "server");
    EXPECT_EQ(j["rows"][0]["server"], "gpu-a");
    EXPECT_FALSE(j["rows"][0].contains("owner"));
    EXPECT_EQ(j["rows"][0]["held_seconds"], 7200);
    EXPECT_DOUBLE_EQ(j["rows"][0]["efficiency"].get<double>(), 0.5);
    EXPECT_FALSE(j["rows"][1].contains("busy_seconds"));
}

}  // namespace
}  // namespace cmon::exporters
