#include "exporters/accounting_exporter.hpp"

#include <gtest/gtest.h>

#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

using nlohmann::json;
using testing::golden_accounting;

TEST(AccountingJson, ContractShape) {
    const json root = api_accounting_value(golden_accounting());
    EXPECT_EQ(root["api_version"], 1);
    EXPECT_EQ(root["started"], "2023-08-01T20:00:00.000Z");
    EXPECT_EQ(root["since"], "2023-08-01T20:50:00.000Z");
    EXPECT_EQ(root["now"], "2023-08-01T21:54:32.250Z");
    ASSERT_EQ(root["containers"].size(), 3u);
    const json& trainer = root["containers"][0];
    EXPECT_EQ(trainer["short_id"], "19ea60696906");
    EXPECT_EQ(trainer["owner"], "ana");
    EXPECT_EQ(trainer["removed"], false);
    EXPECT_FALSE(trainer.contains("removed_at"));
    // Container totals are the sums over its GPUs.
    EXPECT_DOUBLE_EQ(trainer["since_start"]["held_seconds"].get<double>(), 6992.25);
    EXPECT_DOUBLE_EQ(trainer["window"]["busy_seconds"].get<double>(), 2029.295);
    ASSERT_EQ(trainer["gpus"].size(), 2u);
    EXPECT_EQ(trainer["gpus"][1]["gpu"], "1");
    EXPECT_FALSE(trainer["gpus"][1].contains("gpu_instance_id"));
    const json& gone = root["containers"][2];
    EXPECT_EQ(gone["removed"], true);
    EXPECT_EQ(gone["removed_at"], "2023-08-01T21:23:20.000Z");
    EXPECT_EQ(gone["gpus"][0]["gpu_instance_id"], 2);
    EXPECT_EQ(gone["gpus"][0]["uuid"], "MIG-5c4d3e2f-aaaa-bbbb-cccc-ddddeeeeffff");
    for (const json& c : root["containers"])
        for (const char* key : {"window", "since_start"})
            for (const char* field : {"held_seconds", "busy_seconds", "idle_held_seconds"})
                EXPECT_TRUE(c[key][field].is_number()) << key << "." << field;
}

TEST(AccountingJson, OwnersSumTheirContainers) {
    const json owners = api_accounting_value(golden_accounting())["owners"];
    ASSERT_EQ(owners.size(), 2u);
    EXPECT_EQ(owners[0]["owner"], "ana");
    EXPECT_EQ(owners[0]["containers"], json::array({"trainer", "ana-old"}));
    EXPECT_DOUBLE_EQ(owners[0]["since_start"]["held_seconds"].get<double>(), 6992.25 + 1800);
    EXPECT_DOUBLE_EQ(owners[0]["window"]["busy_seconds"].get<double>(), 2029.295 + 700);
    EXPECT_EQ(owners[1]["owner"], "notebook");
    EXPECT_DOUBLE_EQ(owners[1]["window"]["idle_held_seconds"].get<double>(), 3000);
}

TEST(AccountingTable, OwnersThenContainersBusiestFirstInHours) {
    const std::string text = to_accounting_table(golden_accounting(), "since 21:00");
    EXPECT_NE(text.find("GPU ACCOUNTING  since 21:00"), std::string::npos) << text;
    EXPECT_NE(text.find("GPU-hours"), std::string::npos) << text;
    const auto owners = text.find("OWNER ");
    const auto containers = text.find("CONTAINER ");
    ASSERT_NE(owners, std::string::npos) << text;
    ASSERT_NE(containers, std::string::npos) << text;
    EXPECT_LT(owners, containers);
    EXPECT_NE(text.find("OWNER" + std::string(24, ' ') + "CONTAINERS"), std::string::npos) << "aligned header\n"
                                                                                          << text;
    // ana: (3272.25 + 120 + 1400) s held in the window = 1.33 h; busy 2729.295 s = 0.76 h; 57 %.
    const auto ana = text.find("\nana ");
    ASSERT_NE(ana, std::string::npos) << text;
    const std::string ana_line = text.substr(ana + 1, text.find('\n', ana + 1) - ana - 1);
    EXPECT_NE(ana_line.find(" 1.33 "), std::string::npos) << ana_line;
    EXPECT_NE(ana_line.find(" 0.76 "), std::string::npos) << ana_line;
    EXPECT_NE(ana_line.find(" 57%"), std::string::npos) << ana_line;
    EXPECT_LT(text.find("\nana "), text.find("\nnotebook ")) << "ana held more in the window";
    EXPECT_NE(text.find("ana-old (removed)"), std::string::npos) << text;
    EXPECT_NE(text.find("GPU 0 MIG GI 2"), std::string::npos) << text;
}

TEST(AccountingTable, ShortWindowsInSecondsAndAnEmptyReportSaysSo) {
    model::AccountingReport report;
    report.started = testing::at_ms(1690920000000);
    report.since = report.started;
    report.now = report.started + std::chrono::seconds(10);
    std::string text = to_accounting_table(report, "sampled for 10 s");
    EXPECT_NE(text.find("GPU-seconds"), std::string::npos) << text;
    EXPECT_NE(text.find("(no container has held a GPU)"), std::string::npos) << text;
    model::ContainerAccount c;
    c.id = std::string(64, 'e');
    c.name = "eve";
    c.owner = "eve";
    c.gpus.push_back({0, std::nullopt, "GPU-x", {9.5, 4.75, 0}, {9.5, 4.75, 0}});
    report.containers.push_back(c);
    text = to_accounting_table(report, "sampled for 10 s");
    EXPECT_NE(text.find("9.5"), std::string::npos) << text;
    EXPECT_NE(text.find("50%"), std::string::npos) << text;
}

}  // namespace
}  // namespace cmon::exporters
