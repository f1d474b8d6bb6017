#include "exporters/query_exporter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <limits>
#include <string>

#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;

// The legacy "time" is local time: pinned to UTC here, and TZ put back as it was afterwards (other tests in
// this process format local times too).
class QueryExporter : public ::testing::Test {
protected:
    void SetUp() override {
        if (const char* tz = std::getenv("TZ")) saved_tz_ = tz;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override {
        if (saved_tz_) {
            setenv("TZ", saved_tz_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }

private:
    std::optional<std::string> saved_tz_;
};

model::Snapshot two_gpu_host() {
    model::Snapshot s;
    s.time = model::TimePoint(std::chrono::seconds(1690926872));  // 2023-08-01 21:54:32 UTC
    s.note = "maintenance friday";
    s.host.hostname = "2gpu-3";
    s.host.primary_ipv4 = "10.3.240.101";
    s.host.cpu_busy_percent = 5.94;
    s.host.memory_total_bytes = static_cast<std::uint64_t>(62.8 * kGiB);
    s.host.memory_used_bytes = static_cast<std::uint64_t>(4.6 * kGiB);
    for (unsigned i = 0; i < 2; ++i) {
        model::GpuDevice gpu;
        gpu.index = i;
        gpu.name = "NVIDIA GeForce RTX 3080 Ti";
        gpu.memory_total_bytes = 12 * kGiB;
        gpu.memory_used_bytes = i == 0 ? static_cast<std::uint64_t>(1.24 * kGiB) : 0;
        gpu.utilization_percent = i == 0 ? 72 : 0;
        s.gpus.push_back(gpu);
    }
    model::ContainerStats busy;
    busy.id = "19ea606969060000000000000000000000000000000000000000000000000000";
    busy.short_id = "19ea60696906";
    busy.name = "my-container-1";
    busy.state = "running";
    busy.cpu_percent = 145.08;
    busy.memory_working_set_bytes = static_cast<std::uint64_t>(1.4 * kGiB);
    s.containers.push_back(busy);
    model::ContainerStats idle = busy;
    idle.id = "52dfb3934c240000000000000000000000000000000000000000000000000000";
    idle.short_id = "52dfb3934c24";
    idle.name = "my-container-2";
    idle.cpu_percent = std::nullopt;  // first sample: no rate yet
    idle.memory_working_set_bytes = 0;
    idle.memory_limit_bytes = 2 * kGiB;
    s.containers.push_back(idle);
    model::GpuProcess process;
    process.pid = 678400;
    process.gpu_index = 0;
    process.memory_used_bytes = static_cast<std::uint64_t>(0.101 * 12 * kGiB);
    process.sm_percent = 62;
    process.container_id = busy.id;
    s.gpu_processes.push_back(process);
    model::GpuProcess host_process = process;
    host_process.pid = 42;
    host_process.container_id = std::nullopt;
    s.gpu_processes.push_back(host_process);
    return s;
}

TEST_F(QueryExporter, MatchesTheLegacyShapeAndTypes) {
    auto json = nlohmann::json::parse(to_query_json(two_gpu_host()));
    EXPECT_EQ(json["time"], "2023-08-01 21:54:32");
    EXPECT_EQ(json["hostname"], "2gpu-3");
    EXPECT_EQ(json["ip"], "10.3.240.101");
    EXPECT_EQ(json["note"], "maintenance friday");

    const auto& host = json["host-stats"];
    EXPECT_TRUE(host["cpu-perc"].is_number_float());
    EXPECT_DOUBLE_EQ(host["cpu-perc"].get<double>(), 5.9);
    EXPECT_DOUBLE_EQ(host["mem"]["perc-used"].get<double>(), 7.3);
    EXPECT_EQ(host["mem"]["used/total"], "4.6G / 62.8G");
    ASSERT_EQ(host["gpu"].size(), 2u);
    EXPECT_EQ(host["gpu"][0]["id"], 0);
    EXPECT_EQ(host["gpu"][0]["model"], "NVIDIA GeForce RTX 3080 Ti");
    EXPECT_DOUBLE_EQ(host["gpu"][0]["mem-perc-used"].get<double>(), 10.3);
    EXPECT_EQ(host["gpu"][0]["mem-used/total"], "1.2G / 12.0G");
    EXPECT_TRUE(host["gpu"][0]["util-perc"].is_number_integer());
    EXPECT_EQ(host["gpu"][0]["util-perc"], 72);

    const auto& containers = json["container-stats"];
    ASSERT_EQ(containers.size(), 2u);
    const auto& busy = containers["19ea60696906"];
    EXPECT_EQ(busy["name"], "my-container-1");
    EXPECT_DOUBLE_EQ(busy["cpu-perc"].get<double>(), 145.1);
    EXPECT_DOUBLE_EQ(busy["mem"]["perc-used"].get<double>(), 2.2);
    EXPECT_EQ(busy["mem"]["used/total"], "1.4G / 62.8G");
    ASSERT_EQ(busy["gpu-proc"].size(), 1u) << "the host process is not under any container";
    EXPECT_EQ(busy["gpu-proc"][0]["gpu-idx"], 0);
    EXPECT_DOUBLE_EQ(busy["gpu-proc"][0]["mem-perc-used"].get<double>(), 10.1);
    EXPECT_EQ(busy["gpu-proc"][0]["pid"], 678400);
    EXPECT_EQ(busy["gpu-proc"][0]["sm-util"], 62);

    const auto& idle = containers["52dfb3934c24"];
    EXPECT_TRUE(idle["cpu-perc"].is_number_float());
    EXPECT_DOUBLE_EQ(idle["cpu-perc"].get<double>(), 0.0);
    EXPECT_EQ(idle["mem"]["used/total"], "0.0G / 2.0G") << "against the container's limit";
    EXPECT_TRUE(idle["gpu-proc"].is_array());
    EXPECT_TRUE(idle["gpu-proc"].empty());
}

TEST_F(QueryExporter, KeysInTheOriginalOrder) {
    std::string text = to_query_json(two_gpu_host());
    auto pos = [&](const char* key) { return text.find(key); };
    EXPECT_LT(pos("\"time\""), pos("\"hostname\""));
    EXPECT_LT(pos("\"hostname\""), pos("\"ip\""));
    EXPECT_LT(pos("\"ip\""), pos("\"note\""));
    EXPECT_LT(pos("\"note\""), pos("\"host-stats\""));
    EXPECT_LT(pos("\"host-stats\""), pos("\"container-stats\""));
}

TEST_F(QueryExporter, EmptyHostHasEmptyListsNotNulls) {
    model::Snapshot s;
    s.host.primary_ipv4.clear();
    auto json = nlohmann::json::parse(to_query_json(s));
    EXPECT_EQ(json["ip"], "127.0.0.1");
    EXPECT_TRUE(json["host-stats"]["gpu"].is_array());
    EXPECT_TRUE(json["host-stats"]["gpu"].empty());
    EXPECT_TRUE(json["container-stats"].is_object());
    EXPECT_TRUE(json["container-stats"].empty());
    EXPECT_EQ(json["host-stats"]["mem"]["used/total"], "0.0G / 0.0G");
    EXPECT_TRUE(json["host-stats"]["mem"]["perc-used"].is_number_float());
}

TEST_F(QueryExporter, OnlyRunningContainers) {
    auto s = two_gpu_host();
    s.containers[1].state = "paused";
    auto json = nlohmann::json::parse(to_query_json(s));
    EXPECT_EQ(json["container-stats"].size(), 1u);
}

TEST_F(QueryExporter, NamesAreEscapedJson) {
    auto s = two_gpu_host();
    s.containers[0].name = "evil\"name<script>\n";
    s.note = "\xff\xfe not utf-8";
    auto json = nlohmann::json::parse(to_query_json(s));  // parse() refuses invalid UTF-8
    EXPECT_EQ(json["container-stats"]["19ea60696906"]["name"], "evil\"name<script>\n");
    // Bytes that are not UTF-8 become U+FFFD each; the rest of the note is kept.
    EXPECT_EQ(json["note"], "\uFFFD\uFFFD not utf-8");
}

TEST_F(QueryExporter, LostGpuKeepsItsPlaceWithNumbers) {
    auto s = two_gpu_host();
    s.gpus[1] = model::GpuDevice{};
    s.gpus[1].index = 1;
    s.gpus[1].lost = true;
    auto json = nlohmann::json::parse(to_query_json(s));
    EXPECT_EQ(json["host-stats"]["gpu"][1]["id"], 1);
    EXPECT_EQ(json["host-stats"]["gpu"][1]["util-perc"], 0);
}

// The /query bytes themselves (people script against them): tests/golden/query_*.json hold what the
// original nlohmann::ordered_json version wrote, byte for byte, for the shared golden snapshot, an empty
// one, and one with every awkward value the shape can carry.
model::Snapshot awkward_host() {
    model::Snapshot s = two_gpu_host();
    s.note = std::string("quote \" backslash \\ tab \t newline \n cr \r nul ") + '\0' + " \x01\x1f del \x7f";
    s.host.hostname = "h\xc3\xa9te \xe2\x98\x83 \xf0\x9f\x9a\x80";  // 2-, 3- and 4-byte UTF-8
    s.host.primary_ipv4.clear();                                     // "127.0.0.1"
    s.host.cpu_busy_percent = std::numeric_limits<double>::quiet_NaN();  // null, as nlohmann writes it
    s.host.memory_used_bytes = std::numeric_limits<std::uint64_t>::max();
    s.gpus[0].name = "bad \xff\xfe utf-8, cut \xe2\x82, overlong \xc0\xaf";
    s.gpus[0].utilization_percent = std::nullopt;
    s.gpus[1].memory_total_bytes = std::nullopt;
    s.gpus[1].memory_used_bytes = 5 * kGiB;
    s.gpus[1].index = 4294967295u;
    const double cpu[] = {1e15,     1.5e15, 1234567890123456.0, 9.999e15, 1e16,   1e21, 0.04,
                          -3.25,    99.95,  0.1 + 0.2,          1e-7,     -0.04,  std::numeric_limits<double>::infinity(),
                          123456.7, 100.0};
    const auto base = s.containers[0];
    s.containers.clear();
    for (std::size_t i = 0; i < std::size(cpu); ++i) {
        model::ContainerStats c = base;
        char id[65];
        std::snprintf(id, sizeof id, "%012zx%052zx", 0xa0000000 + i, i);
        c.id = id;
        c.short_id = c.id.substr(0, 12);
        c.name = "c" + std::to_string(i);
        c.cpu_percent = cpu[i];
        c.memory_working_set_bytes = i * 3 * kGiB / 7;
        c.memory_limit_bytes = i % 2 == 0 ? std::optional<std::uint64_t>(kGiB) : std::nullopt;
        s.containers.push_back(c);
    }
    s.containers[2].name = "esc \"<script>\" \\ \n\t \xe2\x98\x83 \xff";
    s.containers[5].memory_working_set_bytes = std::nullopt;
    s.containers[6].memory_working_set_bytes = 100 * kGiB;  // over its limit
    s.containers.push_back(s.containers[13]);
    s.containers.back().id[0] = 'b';
    s.containers.back().short_id[0] = 'b';
    s.containers.back().state = "paused";  // not listed
    s.containers.push_back(s.containers.back());
    s.containers.back().id[0] = 'c';
    s.containers.back().short_id[0] = 'c';
    s.containers.back().state = "exited";
    // Two running containers under one short id: the first one's place, the last one's values.
    s.containers.push_back(s.containers[14]);
    s.containers.back().id[0] = 'd';
    s.containers.back().name = "same short id as c14, later";
    s.containers.back().cpu_percent = 7.25;
    s.gpu_processes.clear();
    for (unsigned p = 0; p < 5; ++p) {
        model::GpuProcess process;
        process.pid = p == 4 ? 4294967295u : 1000 + p;
        process.gpu_index = p % 3;  // 2 is no GPU of the snapshot: its share is 0
        process.memory_used_bytes = p == 1 ? std::nullopt : std::optional<std::uint64_t>(p * kGiB + 12345);
        process.sm_percent = p == 2 ? std::nullopt : std::optional<unsigned>(p * 30);
        process.container_id = s.containers[p < 2 ? 0 : p].id;
        s.gpu_processes.push_back(process);
    }
    s.gpu_processes[3].container_id = s.containers.back().id;
    s.gpu_processes[4].container_id = s.containers[s.containers.size() - 2].id;  // exited: not listed
    return s;
}

TEST_F(QueryExporter, GoldenBytes) {
    testing::expect_matches_golden("query_golden_snapshot.json", to_query_json(testing::golden_snapshot()) + "\n");
    testing::expect_matches_golden("query_empty.json", to_query_json(model::Snapshot{}) + "\n");
    testing::expect_matches_golden("query_awkward.json", to_query_json(awkward_host()) + "\n");
}

}  // namespace
}  // namespace cmon::exporters
