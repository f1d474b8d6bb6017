#include "exporters/api_exporter.hpp"

#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>

#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

using nlohmann::json;
using testing::at_ms;
using testing::golden_snapshot;
using testing::kGiB;

void expect_no_nulls(const json& value, const std::string& where) {
    ASSERT_FALSE(value.is_null()) << where << " is null: absent values must be omitted";
    if (value.is_object())
        for (const auto& [key, item] : value.items()) expect_no_nulls(item, where + "." + key);
    if (value.is_array())
        for (std::size_t i = 0; i < value.size(); ++i) expect_no_nulls(value[i], where + "[" + std::to_string(i) + "]");
}

TEST(ApiSnapshot, TopLevelShape) {
    json root = json::parse(to_api_json(golden_snapshot()));
    EXPECT_EQ(root["api_version"], 1);
    EXPECT_EQ(root["sequence"], 42);
    EXPECT_EQ(root["time"], "2023-08-01T21:54:32.250Z");
    EXPECT_EQ(root["note"], "maintenance friday");
    for (const char* array : {"containers", "gpus", "gpu_processes", "sources"}) EXPECT_TRUE(root[array].is_array());
    EXPECT_EQ(root, api_snapshot_value(golden_snapshot()));
    expect_no_nulls(root, "root");
}

TEST(ApiSnapshot, HostTypes) {
    json host = api_snapshot_value(golden_snapshot())["host"];
    EXPECT_EQ(host["hostname"], "2gpu-3");
    EXPECT_EQ(host["primary_ipv4"], "10.3.240.101");
    EXPECT_TRUE(host["memory_total_bytes"].is_number_unsigned());
    EXPECT_EQ(host["memory_total_bytes"].get<std::uint64_t>(), 67430219776u);
    EXPECT_TRUE(host["cpu_busy_percent"].is_number_float());
    EXPECT_DOUBLE_EQ(host["cpu_busy_percent"].get<double>(), 5.94);
    EXPECT_DOUBLE_EQ(host["load"]["fifteen"].get<double>(), 0.7);
    EXPECT_EQ(host["filesystems"][1]["mount_point"], "/mnt/usb \"backup\"");
    EXPECT_EQ(host["network_rx"]["bytes_total"].get<std::uint64_t>(), 123456789012u);
    EXPECT_DOUBLE_EQ(host["network_rx"]["bytes_per_second"].get<double>(), 1234.5);
    EXPECT_TRUE(host["disk_write"].contains("bytes_total"));
    EXPECT_FALSE(host["disk_write"].contains("bytes_per_second"));
}

TEST(ApiSnapshot, ContainersWithDerivedGpuFields) {
    json containers = api_snapshot_value(golden_snapshot())["containers"];
    ASSERT_EQ(containers.size(), 2u);
    const json& trainer = containers[0];
    EXPECT_EQ(trainer["short_id"], "19ea60696906");
    EXPECT_EQ(trainer["started_at"], "2023-08-01T20:00:00.000Z");
    EXPECT_EQ(trainer["labels"]["com.docker.compose.project"], "ml");
    EXPECT_TRUE(trainer["cpu_time_ns_total"].is_number_unsigned());
    EXPECT_FALSE(trainer.contains("memory_limit_bytes")) << "unlimited: omitted";
    EXPECT_EQ(trainer["gpu_memory_bytes"].get<std::uint64_t>(), 12 * kGiB);
    EXPECT_EQ(trainer["gpu_indices"], json::array({0, 1}));
    EXPECT_EQ(trainer["gpus_assigned"], json::array({0, 1}));
    EXPECT_FALSE(trainer["block_read"].contains("bytes_per_second"));

    const json& notebook = containers[1];
    EXPECT_FALSE(notebook.contains("cpu_percent")) << "first sample: no rate yet";
    EXPECT_FALSE(notebook.contains("network_rx"));
    EXPECT_FALSE(notebook.contains("init_pid"));
    EXPECT_EQ(notebook["memory_limit_bytes"].get<std::uint64_t>(), 8 * kGiB);
    EXPECT_EQ(notebook["gpu_memory_bytes"].get<std::uint64_t>(), 4 * kGiB);
    EXPECT_EQ(notebook["gpu_indices"], json::array({1}));
    EXPECT_EQ(notebook["all_gpus_assigned"], true);
}

TEST(ApiSnapshot, GpuMemoryOfAContainerWithoutProcessesIsZeroAndUnknownIsOmitted) {
    model::Snapshot s;
    model::ContainerStats quiet;
    quiet.id = "q";
    s.containers.push_back(quiet);
    model::ContainerStats unknown;
    unknown.id = "u";
    s.containers.push_back(unknown);
    model::GpuProcess process;
    process.container_id = "u";
    process.gpu_index = 2;
    s.gpu_processes.push_back(process);
    json containers = api_snapshot_value(s)["containers"];
    EXPECT_EQ(containers[0]["gpu_memory_bytes"], 0);
    EXPECT_EQ(containers[0]["gpu_indices"], json::array());
    EXPECT_FALSE(containers[1].contains("gpu_memory_bytes"));
    EXPECT_EQ(containers[1]["gpu_indices"], json::array({2}));
}

TEST(ApiSnapshot, GpusProcessesAndSources) {
    json root = api_snapshot_value(golden_snapshot());
    EXPECT_EQ(root["gpus"][0]["power_draw_milliwatts"], 245123);
    EXPECT_EQ(root["gpus"][0]["fan_percent"], 30);
    EXPECT_FALSE(root["gpus"][1].contains("fan_percent"));
    EXPECT_EQ(root["gpus"][1]["lost"], false);
    const json& host_process = root["gpu_processes"][2];
    EXPECT_EQ(host_process["pid"], 4242);
    EXPECT_FALSE(host_process.contains("container_id"));
    EXPECT_EQ(host_process["command"], "Xorg :0");
    EXPECT_EQ(host_process["type"], "graphics");
    EXPECT_EQ(root["gpu_processes"][3]["idle_since"], "2023-08-01T20:54:32.000Z");
    EXPECT_FALSE(root["gpu_processes"][0].contains("idle_since"));
    const json& failed = root["sources"][3];
    EXPECT_EQ(failed["name"], "filesystems");
    EXPECT_EQ(failed["ok"], false);
    EXPECT_EQ(failed["error"], "statfs /mnt/nfs: stale file handle");
    EXPECT_EQ(root["sources"][0]["error"], "");
}

TEST(ApiSnapshot, NonFiniteNumbersAreOmitted) {
    model::Snapshot s;
    s.host.cpu_busy_percent = std::numeric_limits<double>::quiet_NaN();
    s.host.network_rx.bytes_per_second = std::numeric_limits<double>::infinity();
    json host = json::parse(to_api_json(s))["host"];
    EXPECT_FALSE(host.contains("cpu_busy_percent"));
    EXPECT_FALSE(host["network_rx"].contains("bytes_per_second"));
}

TEST(ApiSnapshot, InvalidUtf8DoesNotThrow) {
    model::Snapshot s;
    s.note = "bad \xFF byte";
    EXPECT_NE(to_api_json(s).find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

TEST(ApiSnapshot, MatchesGolden) {
    testing::expect_matches_golden("api_snapshot.json", json::parse(to_api_json(golden_snapshot())).dump(2) + "\n");
}

// History: four ticks 2 s apart plus one 10 minutes older; containers and GPUs come and go.
std::vector<model::SnapshotPtr> history_ring() {
    std::vector<model::SnapshotPtr> ring;
    auto add = [&](std::int64_t ms, auto edit) {
        model::Snapshot s;
        s.time = at_ms(ms);
        s.host.memory_used_bytes = static_cast<std::uint64_t>(ms % 100000);
        edit(s);
        ring.push_back(std::make_shared<const model::Snapshot>(std::move(s)));
    };
    model::ContainerStats web;
    web.id = "aaaa";
    web.short_id = "aaaaaaaaaaaa";
    web.name = "web";
    model::GpuDevice gpu;
    gpu.index = 0;
    gpu.utilization_percent = 50;
    gpu.memory_used_bytes = kGiB;

    add(1690000000000 - 600000, [&](model::Snapshot& s) { s.containers.push_back(web); });  // outside
    add(1690000000000, [&](model::Snapshot& s) {
        s.host.cpu_busy_percent = 12.345;
        s.gpus.push_back(gpu);
        s.containers.push_back(web);  // no cpu_percent yet
    });
    ring.push_back(nullptr);
    add(1690000002000, [&](model::Snapshot& s) {
        s.host.network_rx.bytes_per_second = 1500.6;
        web.cpu_percent = 3.04;
        web.memory_working_set_bytes = 1000;
        s.containers.push_back(web);
        model::GpuProcess process;
        process.container_id = "aaaa";
        process.memory_used_bytes = 256;
        s.gpu_processes.push_back(process);
    });
    add(1690000004000, [&](model::Snapshot& s) {
        model::GpuDevice gone = gpu;
        gone.utilization_percent = std::nullopt;
        s.gpus.push_back(gone);
        web.name = "web-renamed";
        s.containers.push_back(web);
    });
    add(1690000006000, [&](model::Snapshot&) {});
    return ring;
}

TEST(ApiHistory, SeriesAreAlignedWithNullsAndCutToTheWindow) {
    json h = json::parse(to_api_history_json(history_ring(), std::chrono::seconds(60)));
    EXPECT_EQ(h["api_version"], 1);
    EXPECT_EQ(h["times"], json::array({1690000000000, 1690000002000, 1690000004000, 1690000006000}));
    EXPECT_EQ(h["interval_hint_ms"], 2000);

    const json& host = h["host"];
    EXPECT_EQ(host["cpu_busy_percent"], json::parse("[12.3, null, null, null]"));
    EXPECT_EQ(host["network_rx_bytes_per_second"], json::parse("[null, 1501, null, null]"));
    EXPECT_EQ(host["memory_used_bytes"], json::parse("[0, 2000, 4000, 6000]"));
    for (const char* column :
         {"network_tx_bytes_per_second", "disk_read_bytes_per_second", "disk_write_bytes_per_second"})
        EXPECT_EQ(host[column].size(), 4u) << column;

    ASSERT_TRUE(h["gpus"].contains("0"));
    EXPECT_EQ(h["gpus"]["0"]["utilization_percent"], json::parse("[50, null, null, null]"));
    EXPECT_EQ(h["gpus"]["0"]["memory_used_bytes"], json::parse("[1073741824, null, 1073741824, null]"));

    ASSERT_EQ(h["containers"].size(), 1u);
    const json& web = h["containers"]["aaaaaaaaaaaa"];
    EXPECT_EQ(web["name"], "web-renamed");
    EXPECT_EQ(web["cpu_percent"], json::parse("[null, 3.0, 3.0, null]"));
    EXPECT_EQ(web["memory_working_set_bytes"], json::parse("[null, 1000, 1000, null]"));
    EXPECT_EQ(web["gpu_memory_bytes"], json::parse("[0, 256, 0, null]"));
}

TEST(ApiHistory, WindowCountsBackFromTheNewestSnapshot) {
    json h = json::parse(to_api_history_json(history_ring(), std::chrono::seconds(4)));
    EXPECT_EQ(h["times"], json::array({1690000002000, 1690000004000, 1690000006000}));
    EXPECT_EQ(h["containers"]["aaaaaaaaaaaa"]["cpu_percent"].size(), 3u);
    json wide = json::parse(to_api_history_json(history_ring(), std::chrono::seconds(3600)));
    EXPECT_EQ(wide["times"].size(), 5u);
    EXPECT_EQ(wide["interval_hint_ms"], 2000);
}

TEST(ApiHistory, OwnerSmPercentAndPerGpuMemory) {
    json h = json::parse(to_api_history_json(history_ring(), std::chrono::seconds(60)));
    const json& web = h["containers"]["aaaaaaaaaaaa"];
    EXPECT_EQ(web["owner"], "web-renamed") << "no owner: the name";
    EXPECT_EQ(web["sm_percent"], json::parse("[0, 0, 0, null]"));
    EXPECT_EQ(web["gpu_memory_bytes_by_gpu"]["0"], json::parse("[null, 256, null, null]"));
    EXPECT_EQ(h["gpus"]["0"]["memory_total_bytes"], json::parse("[null, null, null, null]"));
    EXPECT_EQ(h["step_ms"], 2000) << "raw points: the median spacing";
    EXPECT_FALSE(h["host"].contains("cpu_busy_percent_max")) << "no step: no aggregates";
}

// Twelve samples 1 s apart: host CPU 0..110 %, a GPU at 10 x i %, a container at i % CPU and i x 5 % SM.
std::vector<model::SnapshotPtr> busy_ring() {
    std::vector<model::SnapshotPtr> ring;
    for (int i = 0; i < 12; ++i) {
        model::Snapshot s;
        s.time = at_ms(1690000000000 + i * 1000);
        s.host.cpu_busy_percent = i * 10.0;
        s.host.memory_used_bytes = static_cast<std::uint64_t>(1000 + i);
        model::GpuDevice gpu;
        gpu.index = 0;
        gpu.utilization_percent = static_cast<unsigned>(i * 5);
        gpu.memory_total_bytes = 80 * kGiB;
        s.gpus.push_back(gpu);
        model::ContainerStats c;
        c.id = "cccc";
        c.short_id = "cccccccccccc";
        c.name = "ana-train";
        c.owner = "ana";
        c.cpu_percent = i * 1.0;
        s.containers.push_back(c);
        model::GpuProcess p;
        p.container_id = "cccc";
        p.gpu_index = 0;
        p.sm_percent = static_cast<unsigned>(i * 5);
        p.memory_used_bytes = static_cast<std::uint64_t>(i) * 100;
        s.gpu_processes.push_back(p);
        ring.push_back(std::make_shared<const model::Snapshot>(std::move(s)));
    }
    return ring;
}

TEST(ApiHistory, StepGroupsIntoAlignedMeansWithMaxSiblings) {
    // 1690000000000 is a multiple of 4 s: steps [0,4) [4,8) [8,12) seconds.
    json h = json::parse(to_api_history_json(busy_ring(), std::chrono::seconds(60), std::chrono::seconds(4)));
    EXPECT_EQ(h["step_ms"], 4000);
    EXPECT_EQ(h["times"], json::array({1690000000000, 1690000004000, 1690000008000}));
    EXPECT_EQ(h["host"]["cpu_busy_percent"], json::parse("[15.0, 55.0, 95.0]"));
    EXPECT_EQ(h["host"]["cpu_busy_percent_max"], json::parse("[30.0, 70.0, 110.0]"));
    EXPECT_EQ(h["host"]["memory_used_bytes"], json::parse("[1002, 1006, 1010]")) << "integer means stay integers";
    EXPECT_FALSE(h["host"].contains("memory_used_bytes_max"));
    const json& gpu = h["gpus"]["0"];
    EXPECT_EQ(gpu["utilization_percent"], json::parse("[8, 28, 48]")) << "7.5, 27.5, 47.5 rounded";
    EXPECT_EQ(gpu["utilization_percent_max"], json::parse("[15, 35, 55]"));
    EXPECT_EQ(gpu["memory_total_bytes"].size(), 3u);
    const json& c = h["containers"]["cccccccccccc"];
    EXPECT_EQ(c["owner"], "ana");
    EXPECT_EQ(c["cpu_percent"], json::parse("[1.5, 5.5, 9.5]"));
    EXPECT_EQ(c["cpu_percent_max"], json::parse("[3.0, 7.0, 11.0]"));
    EXPECT_EQ(c["sm_percent_max"], json::parse("[15, 35, 55]"));
    EXPECT_EQ(c["gpu_memory_bytes_by_gpu"]["0"], json::parse("[150, 550, 950]"));
}

TEST(ApiHistory, StepKeepsGapsAsNullAndUnevenSteps) {
    auto ring = busy_ring();
    // 5 s steps from 1690000000000 (a multiple of 5 s): [0,5) [5,10) [10,12).
    json h = json::parse(to_api_history_json(ring, std::chrono::seconds(60), std::chrono::seconds(5)));
    EXPECT_EQ(h["times"], json::array({1690000000000, 1690000005000, 1690000010000}));
    EXPECT_EQ(h["host"]["cpu_busy_percent"], json::parse("[20.0, 70.0, 105.0]"));
    // A step with no value at all is null, not 0.
    ring.resize(3);
    auto s = std::make_shared<model::Snapshot>(*ring.back());
    s->time = at_ms(1690000020000);
    s->host.cpu_busy_percent = std::nullopt;
    ring.push_back(s);
    h = json::parse(to_api_history_json(ring, std::chrono::seconds(60), std::chrono::seconds(5)));
    EXPECT_EQ(h["times"], json::array({1690000000000, 1690000020000}));
    EXPECT_EQ(h["host"]["cpu_busy_percent"], json::parse("[10.0, null]"));
    EXPECT_EQ(h["host"]["cpu_busy_percent_max"], json::parse("[20.0, null]"));
}

TEST(ApiHistory, EmptyRingStillHasEveryKey) {
    json h = json::parse(to_api_history_json({}, std::chrono::seconds(60)));
    EXPECT_EQ(h["times"], json::array());
    EXPECT_EQ(h["interval_hint_ms"], 0);
    EXPECT_EQ(h["host"]["cpu_busy_percent"], json::array());
    EXPECT_EQ(h["host"].size(), 6u);
    EXPECT_EQ(h["gpus"], json::object());
    EXPECT_EQ(h["containers"], json::object());
}

}  // namespace
}  // namespace cmon::exporters

namespace cmon::exporters {
namespace {

TEST(ApiExporter, CarriesThePageTitleOnlyWhenGiven) {
    const std::string title = "Lab \"A\"";
    EXPECT_EQ(nlohmann::json::parse(to_api_json(golden_snapshot(), &title)).at("title"), title);
    EXPECT_FALSE(nlohmann::json::parse(to_api_json(golden_snapshot())).contains("title"));
}

}  // namespace
}  // namespace cmon::exporters
