// Docker API body parsers on bodies captured from Engine 20.10.24 (tests/fixtures/docker/README.md) and on
// literal edge cases.
#include "sources/docker/docker_json_parser.hpp"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/error.hpp"

namespace cmon::sources {
namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(CMON_FIXTURES_DIR) + "/docker/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::int64_t unix_ns(model::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TEST(ContainerListParser, CapturedBodyWithoutAllowlistDropsAllLabels) {
    auto list = parse_container_list(fixture("containers_list.json"), {});
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[1].id, "a8edf9cbbd8a8bf8fdd9197c4b0dffd1ead82c215d577c3921a3a2fc3f6c9754");
    ASSERT_EQ(list[1].names.size(), 1u);
    EXPECT_EQ(list[1].names[0], "/t2");
    EXPECT_EQ(list[1].image, "cmon-test/busybox");
    EXPECT_EQ(list[1].state, "running");
    EXPECT_EQ(list[1].created_unix, 1795869950);
    for (const auto& c : list) {
        EXPECT_TRUE(c.labels.empty());
    }
}

TEST(ContainerListParser, AllowlistKeepsExactKeysAndPrefixes) {
    auto exact = parse_container_list(fixture("containers_list.json"), {"com.example.team"});
    EXPECT_EQ(exact[1].labels, (std::map<std::string, std::string>{{"com.example.team", "ml"}}));
    auto prefix = parse_container_list(fixture("containers_list.json"), {"secret.*"});
    EXPECT_EQ(prefix[1].labels, (std::map<std::string, std::string>{{"secret.thing", "x"}}));
    auto none = parse_container_list(fixture("containers_list.json"), {"com.example"});
    EXPECT_TRUE(none[1].labels.empty());
}

TEST(ContainerListParser, EdgeCases) {
    EXPECT_TRUE(parse_container_list("[]", {}).empty());
    EXPECT_THROW(parse_container_list("", {}), util::Error);
    EXPECT_THROW(parse_container_list("{\"message\":\"x\"}", {}), util::Error);
    EXPECT_THROW(parse_container_list("[{\"Id\":\"ab\"", {}), util::Error);
    // Entries without an id are skipped; wrongly typed fields are left empty; unknown keys ignored.
    auto list = parse_container_list(
        R"([{"Names":["/x"]},{"Id":"abc","Names":"oops","Created":"yesterday","Labels":null,"New":1}])", {"*"});
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].id, "abc");
    EXPECT_TRUE(list[0].names.empty());
    EXPECT_FALSE(list[0].created_unix);
}

// What the streaming parser must agree with: the same six members read from a whole tree.
std::vector<DockerContainerSummary> tree_reference(const std::string& body, const std::vector<std::string>& allowlist) {
    using nlohmann::json;
    json root = json::parse(body, nullptr, false);
    if (!root.is_array()) throw util::Error("not an array");
    std::vector<DockerContainerSummary> out;
    for (const auto& item : root) {
        if (!item.is_object()) continue;
        DockerContainerSummary s;
        auto str = [&](const char* key) {
            auto it = item.find(key);
            return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        s.id = str("Id");
        if (s.id.empty()) continue;
        s.image = str("Image");
        s.state = str("State");
        if (auto it = item.find("Names"); it != item.end() && it->is_array()) {
            for (const auto& n : *it)
                if (n.is_string()) s.names.push_back(n.get<std::string>());
        }
        if (auto it = item.find("Created"); it != item.end() && it->is_number_integer()) {
            s.created_unix = it->get<std::int64_t>();
        }
        if (auto it = item.find("Labels"); it != item.end() && it->is_object()) {
            for (const auto& [k, v] : it->items())
                if (v.is_string() && label_allowed(k, allowlist)) s.labels.emplace(k, v.get<std::string>());
        }
        out.push_back(std::move(s));
    }
    return out;
}

bool same(const std::vector<DockerContainerSummary>& a, const std::vector<DockerContainerSummary>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].id != b[i].id || a[i].names != b[i].names || a[i].image != b[i].image || a[i].state != b[i].state ||
            a[i].created_unix != b[i].created_unix || a[i].labels != b[i].labels) {
            return false;
        }
    }
    return true;
}

TEST(ContainerListParser, AgreesWithATreeParseOnOddInputs) {
    const std::vector<std::string> bodies = {
        fixture("containers_list.json"),
        R"([{"Id":"a","Id":"b","Names":["/x"],"Names":["/y","/z"]}])",
        R"([{"Id":"a","Labels":{"k":"1","k":"2","o":{"k":"3"},"n":5,"a.b":"c"},"Labels":{"k":"4"}}])",
        R"([{"Id":"a","Labels":{"k":"1"},"Labels":null}])",
        R"([{"Id":"a","Names":[["/nested"],"/ok",{"Names":["/deep"]},7]}])",
        R"([{"Id":"a","NetworkSettings":{"Id":"no","Networks":{"x":{"Names":["/no"]}}},"State":"running"}])",
        R"([[{"Id":"inner"}],{"Id":"a"},5,"s",null,{"Id":""},{"Id":7}])",
        R"([{"Id":"a","Created":1.5},{"Id":"b","Created":-3},{"Id":"c","Created":18446744073709551615}])",
        R"([{"Id":"a","Image":["x"],"State":{"s":1},"Labels":["k","v"],"Names":{"0":"/x"}}])",
        R"([{"Id":"é\u00e9\"\\","Names":["/\u0041"]}])",
    };
    for (const auto& body : bodies) {
        for (const std::vector<std::string>& allowlist : {std::vector<std::string>{}, {"*"}, {"k", "a.*"}}) {
            const auto streamed = parse_container_list(body, allowlist);
            EXPECT_TRUE(same(streamed, tree_reference(body, allowlist))) << body;
        }
    }
    // Malformed or not an array: both refuse.
    for (const std::string body : {"", "[", "[{\"Id\":\"a\"}", "[{\"Id\":\"a\"}]]", "{}", "\"x\"", "[{\"Id\":\"a\"]"}) {
        EXPECT_THROW(parse_container_list(body, {}), util::Error) << body;
        EXPECT_THROW(tree_reference(body, {}), util::Error) << body;
    }
}

TEST(EventsParser, OneEventPerLineOldAndNewForms) {
    const std::string body =
        R"({"status":"start","id":"abc","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"x"}},"scope":"local","time":1795869950,"timeNano":1795869950123456789})"
        "\n"
        R"({"status":"pause","id":"abc","time":1795869951})"
        "\n\n"
        R"(not json)"
        "\n"
        R"({"Type":"container","Action":"rename"})"
        "\n"
        R"([1,2])"
        "\n"
        R"({"Type":"container","Action":"exec_start: sh -c true","timeNano":1795869952000000001})";
    const auto events = parse_events(body);
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0].type, "container");
    EXPECT_EQ(events[0].action, "start");
    EXPECT_EQ(events[0].time_ns, 1795869950123456789LL);
    EXPECT_EQ(events[1].action, "pause");  // API < 1.22: status and time in seconds
    EXPECT_EQ(events[1].time_ns, 1795869951000000000LL);
    EXPECT_EQ(events[2].action, "exec_start: sh -c true");
    EXPECT_TRUE(parse_events("").empty());
}

// Found by fuzz_docker_events: "time" in seconds past what int64 nanoseconds hold overflowed (undefined
// behaviour). Such an event has no usable time and is dropped; the largest that fits is kept.
TEST(EventsParser, SecondsTooLargeForNanosecondsAreNoTime) {
    EXPECT_TRUE(parse_events(R"({"status":"pause","id":"abc","time":17000000000})").empty());
    // Wrapped around 2^64, this one came out as a small positive time (290448384 ns) before.
    EXPECT_TRUE(parse_events(R"({"status":"pause","id":"abc","time":18446744074})").empty());
    EXPECT_TRUE(parse_events(R"({"status":"pause","id":"abc","time":9223372036854775807})").empty());
    EXPECT_TRUE(parse_events(R"({"status":"pause","id":"abc","time":-1})").empty());
    const auto kept = parse_events(R"({"status":"pause","id":"abc","time":9223372036})");
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_EQ(kept[0].time_ns, 9223372036000000000LL);
}

TEST(InspectParser, RunningContainer) {
    auto inspect = parse_container_inspect(fixture("inspect_running_cpus.json"));
    ASSERT_TRUE(inspect);
    EXPECT_EQ(inspect->pid, 5510);
    ASSERT_TRUE(inspect->started_at);
    // 2026-11-28T12:45:31.544981905Z
    EXPECT_EQ(unix_ns(*inspect->started_at), 1795869931544981905LL);
    EXPECT_FALSE(inspect->gpu_requested);
    EXPECT_FALSE(inspect->nvidia_visible_devices);
}

TEST(InspectParser, KeepsOnlyNvidiaVisibleDevicesFromEnv) {
    std::string body = fixture("inspect_env_labels.json");
    ASSERT_NE(body.find("SECRET_TOKEN=hunter2"), std::string::npos);
    auto inspect = parse_container_inspect(body);
    ASSERT_TRUE(inspect);
    EXPECT_EQ(inspect->nvidia_visible_devices, "0,1");
    auto gpus = gpu_assignment(*inspect);
    EXPECT_EQ(gpus.indices, (std::vector<unsigned>{0, 1}));
    EXPECT_FALSE(gpus.all);
    // The struct has no other place for environment text: nothing else can leak out of the parser.
    static_assert(sizeof(DockerInspect) < 256);
}

TEST(InspectParser, GpuDeviceRequests) {
    auto devices = parse_container_inspect(fixture("inspect_gpu_devices.json"));
    ASSERT_TRUE(devices);
    EXPECT_TRUE(devices->gpu_requested);
    EXPECT_EQ(devices->gpu_device_ids, (std::vector<std::string>{"0", "2"}));
    EXPECT_EQ(gpu_assignment(*devices).indices, (std::vector<unsigned>{0, 2}));

    auto all = parse_container_inspect(fixture("inspect_gpu_all.json"));
    ASSERT_TRUE(all);
    EXPECT_EQ(all->gpu_count, -1);
    EXPECT_TRUE(gpu_assignment(*all).all);
    EXPECT_FALSE(all->pid);         // created, never started: Pid 0
    EXPECT_FALSE(all->started_at);  // Go zero time
}

TEST(InspectParser, GpuCountAndEnvCombinations) {
    auto count = parse_container_inspect(
        R"({"HostConfig":{"DeviceRequests":[{"Count":2,"Capabilities":[["gpu","utility"]]},
            {"Count":5,"Capabilities":[["tpu"]]}]}})");
    ASSERT_TRUE(count);
    EXPECT_EQ(gpu_assignment(*count).indices, (std::vector<unsigned>{0, 1}));

    auto uuid = parse_container_inspect(
        R"({"HostConfig":{"DeviceRequests":[{"DeviceIDs":["GPU-8f6b"],"Capabilities":[["gpu"]]}]},
            "Config":{"Env":["NVIDIA_VISIBLE_DEVICES= 3 ,1,bogus"]}})");
    ASSERT_TRUE(uuid);
    EXPECT_EQ(gpu_assignment(*uuid).indices, (std::vector<unsigned>{1, 3}));

    for (const char* none : {"none", "void", ""}) {
        DockerInspect inspect;
        inspect.nvidia_visible_devices = none;
        auto gpus = gpu_assignment(inspect);
        EXPECT_TRUE(gpus.indices.empty()) << none;
        EXPECT_FALSE(gpus.all) << none;
    }
    DockerInspect all_env;
    all_env.nvidia_visible_devices = "all";
    EXPECT_TRUE(gpu_assignment(all_env).all);
}

TEST(InspectParser, EdgeCases) {
    EXPECT_FALSE(parse_container_inspect(""));
    EXPECT_FALSE(parse_container_inspect("[]"));
    EXPECT_FALSE(parse_container_inspect("{\"State\":"));
    auto empty = parse_container_inspect("{}");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->pid);
    auto odd = parse_container_inspect(
        R"({"State":{"Pid":"12","StartedAt":7},"Config":{"Env":null},"HostConfig":{"DeviceRequests":null}})");
    ASSERT_TRUE(odd);
    EXPECT_FALSE(odd->pid);
    EXPECT_FALSE(odd->started_at);
    auto huge = parse_container_inspect(R"({"State":{"Pid":99999999999999}})");
    ASSERT_TRUE(huge);
    EXPECT_FALSE(huge->pid);
}

TEST(StatsParser, CapturedCgroupV1) {
    auto stats = parse_container_stats(fixture("stats_cgroup_v1.json"));
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->cpu_time_ns_total, 9999089866u);
    EXPECT_EQ(stats->memory_usage_bytes, 868352u);
    EXPECT_EQ(stats->memory_inactive_file_bytes, 0u);
    EXPECT_EQ(stats->memory_working_set_bytes, 868352u);
    EXPECT_FALSE(stats->memory_limit_bytes);  // unlimited: hierarchical_memory_limit is ~2^63
    EXPECT_EQ(stats->pids, 2u);
    EXPECT_FALSE(stats->network_rx_bytes);   // --network none: no "networks" key
    EXPECT_EQ(stats->block_read_bytes, 0u);  // present but empty list
    EXPECT_EQ(stats->block_write_bytes, 0u);
}

TEST(StatsParser, V1NetworksBlkioAndLimit) {
    auto stats = parse_container_stats(fixture("stats_v1_networks_blkio_limit.json"));
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->network_rx_bytes, 5338u + 1000u);
    EXPECT_EQ(stats->network_tx_bytes, 648u + 2000u);
    EXPECT_EQ(stats->block_read_bytes, 8388608u + 1u);  // only "Read" rows, both devices; not Sync/Total
    EXPECT_EQ(stats->block_write_bytes, 4096u + 2u);
    EXPECT_EQ(stats->memory_limit_bytes, 268435456u);
    EXPECT_EQ(stats->memory_working_set_bytes, 268435456u - 67108864u);
}

TEST(StatsParser, CgroupV2Shape) {
    auto stats = parse_container_stats(fixture("stats_cgroup_v2_handwritten.json"));
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->cpu_time_ns_total, 123456789u);
    EXPECT_EQ(stats->memory_inactive_file_bytes, 10485760u);
    EXPECT_EQ(stats->memory_working_set_bytes, 52428800u - 10485760u);
    EXPECT_EQ(stats->memory_limit_bytes, 8332746752u);
    EXPECT_EQ(stats->pids, 7u);
    EXPECT_EQ(stats->block_read_bytes, 12288u);
    EXPECT_EQ(stats->block_write_bytes, 65536u);
    EXPECT_EQ(stats->network_rx_bytes, 100u);
}

TEST(StatsParser, EdgeCases) {
    EXPECT_FALSE(parse_container_stats(""));
    EXPECT_FALSE(parse_container_stats("null"));
    auto empty = parse_container_stats("{}");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->cpu_time_ns_total);
    EXPECT_FALSE(empty->memory_working_set_bytes);
    EXPECT_FALSE(empty->block_read_bytes);
    // Inactive file larger than usage (racy counters): working set is usage, never wraps.
    auto racy = parse_container_stats(R"({"memory_stats":{"usage":100,"stats":{"inactive_file":200}}})");
    ASSERT_TRUE(racy);
    EXPECT_EQ(racy->memory_working_set_bytes, 100u);
    auto negative = parse_container_stats(R"({"cpu_stats":{"cpu_usage":{"total_usage":-5}}})");
    ASSERT_TRUE(negative);
    EXPECT_FALSE(negative->cpu_time_ns_total);
    auto huge = parse_container_stats(R"({"cpu_stats":{"cpu_usage":{"total_usage":18446744073709551615}}})");
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->cpu_time_ns_total, 18446744073709551615u);
}

TEST(VersionParser, ApiVersion) {
    EXPECT_EQ(parse_api_version(fixture("version.json")), "1.41");
    EXPECT_FALSE(parse_api_version("{}"));
    EXPECT_FALSE(parse_api_version("garbage"));
    EXPECT_FALSE(parse_api_version(R"({"ApiVersion":1.41})"));
}

TEST(Rfc3339, Forms) {
    auto z = parse_rfc3339("2026-11-28T12:45:51.151844946Z");
    ASSERT_TRUE(z);
    EXPECT_EQ(unix_ns(*z), 1795869951151844946LL);
    auto no_fraction = parse_rfc3339("1970-01-01T00:00:01Z");
    ASSERT_TRUE(no_fraction);
    EXPECT_EQ(unix_ns(*no_fraction), 1000000000LL);
    auto offset = parse_rfc3339("1970-01-01T01:00:01.5+01:00");
    ASSERT_TRUE(offset);
    EXPECT_EQ(unix_ns(*offset), 1500000000LL);
    auto more_digits = parse_rfc3339("1970-01-01T00:00:00.1234567891Z");  // beyond ns: truncated
    ASSERT_TRUE(more_digits);
    EXPECT_EQ(unix_ns(*more_digits), 123456789LL);
    for (const char* bad :
         {"", "0001-01-01T00:00:00Z", "0010-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z",
          "2026-11-28T25:00:00Z", "2026-11-28T12:45:51", "2026-11-28T12:45:51.Z", "2026-11-28T12:45:51Zjunk",
          "2026-11-28", "2026-11-28T12:45:51+0100"}) {
        EXPECT_FALSE(parse_rfc3339(bad)) << bad;
    }
}

}  // namespace
}  // namespace cmon::sources
