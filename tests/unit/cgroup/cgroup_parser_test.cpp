// Edge-case tables for the pure cgroup parsers (literal text, both cgroup versions).
#include "sources/cgroup/cgroup_parser.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace cmon::sources {
namespace {

using U64 = std::optional<std::uint64_t>;

struct ValueCase {
    const char* name;
    std::string_view text;
    U64 expected;
};

TEST(CgroupParser, SingleValue) {
    const ValueCase cases[] = {
        {"plain", "123\n", 123},
        {"no final newline", "123", 123},
        {"surrounding blanks", "  42 \n", 42},
        {"zero", "0\n", 0},
        {"u64 max", "18446744073709551615\n", UINT64_MAX},
        {"overflow", "18446744073709551616\n", std::nullopt},
        {"empty", "", std::nullopt},
        {"only newline", "\n", std::nullopt},
        {"max is not a value", "max\n", std::nullopt},
        {"negative", "-1\n", std::nullopt},
        {"garbage", "12abc\n", std::nullopt},
        {"two values", "1 2\n", std::nullopt},
    };
    for (const auto& c : cases) EXPECT_EQ(parse_single_value(c.text), c.expected) << c.name;
}

TEST(CgroupParser, FindFlatKeyed) {
    constexpr std::string_view v1_stat = "cache 10\ninactive_file 5\ntotal_inactive_file 7\ntotal_rss 3";
    constexpr std::string_view v2_stat = "anon 100\nfile 50\ninactive_file 20\nactive_file 30\n";
    const struct {
        const char* name;
        std::string_view text;
        std::string_view key;
        U64 expected;
    } cases[] = {
        {"v1 total_ key", v1_stat, "total_inactive_file", 7},
        {"v1 key not confused with total_ prefix", v1_stat, "inactive_file", 5},
        {"no final newline", v1_stat, "total_rss", 3},
        {"v2 key", v2_stat, "inactive_file", 20},
        {"missing key", v2_stat, "total_inactive_file", std::nullopt},
        {"key prefix is not a match", v2_stat, "inactive", std::nullopt},
        {"empty text", "", "anon", std::nullopt},
        {"empty key", v2_stat, "", std::nullopt},
        {"garbage value", "anon lots\n", "anon", std::nullopt},
        {"key without value", "anon\n", "anon", std::nullopt},
        {"tab separated", "anon\t9\n", "anon", 9},
        {"huge value", "hierarchical_memory_limit 9223372036854771712\n", "hierarchical_memory_limit",
         9223372036854771712ULL},
        {"first of duplicates", "anon 1\nanon 2\n", "anon", 1},
    };
    for (const auto& c : cases) EXPECT_EQ(find_flat_keyed(c.text, c.key), c.expected) << c.name;
}

TEST(CgroupParser, ParseFlatKeyedSkipsJunkAndKeepsUnknownKeys) {
    auto map = parse_flat_keyed("usage_usec 10\nsome_future_key 4\njunk line here\nnovalue\nbad x\nusage_usec 99");
    EXPECT_EQ(map.size(), 2U);
    EXPECT_EQ(map.at("usage_usec"), 10U);
    EXPECT_EQ(map.at("some_future_key"), 4U);
    EXPECT_TRUE(parse_flat_keyed("").empty());
}

TEST(CgroupParser, Limit) {
    const struct {
        const char* name;
        std::string_view text;
        std::optional<bool> unlimited;  // nullopt: parse fails
        std::uint64_t value;
    } cases[] = {
        {"v2 max", "max\n", true, 0},
        {"v2 max no newline", "max", true, 0},
        {"v2 bytes", "536870912\n", false, 536870912},
        {"v1 page counter max, 4 KiB pages", "9223372036854771712\n", true, 0},
        {"v1 page counter max, 64 KiB pages", "9223372036854710272\n", true, 0},
        {"v1 LONG_MAX", "9223372036854775807\n", true, 0},
        {"exactly 2^62", "4611686018427387904\n", true, 0},
        {"just below 2^62", "4611686018427387903\n", false, 4611686018427387903ULL},
        {"zero", "0\n", false, 0},
        {"empty", "", std::nullopt, 0},
        {"garbage", "unlimited\n", std::nullopt, 0},
        {"Max is case sensitive", "Max\n", std::nullopt, 0},
    };
    for (const auto& c : cases) {
        auto limit = parse_limit(c.text);
        ASSERT_EQ(limit.has_value(), c.unlimited.has_value()) << c.name;
        if (!limit) continue;
        EXPECT_EQ(limit->unlimited, *c.unlimited) << c.name;
        if (!limit->unlimited) {
            EXPECT_EQ(limit->value, c.value) << c.name;
        }
    }
}

TEST(CgroupParser, CpuStatUsageNs) {
    const ValueCase cases[] = {
        {"documented format",
         "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 0\nnr_throttled 0\n"
         "throttled_usec 0\n",
         2500000000ULL},
        {"no final newline", "user_usec 1\nusage_usec 7", 7000},
        {"unknown keys ignored", "core_sched.force_idle_usec 5\nusage_usec 1\n", 1000},
        {"missing key", "user_usec 1\nsystem_usec 2\n", std::nullopt},
        {"empty", "", std::nullopt},
        {"garbage", "usage_usec lots\n", std::nullopt},
        {"largest that fits in ns", "usage_usec 18446744073709551\n", 18446744073709551000ULL},
        {"overflow in ns", "usage_usec 18446744073709552\n", std::nullopt},
    };
    for (const auto& c : cases) EXPECT_EQ(parse_cpu_stat_usage_ns(c.text), c.expected) << c.name;
}

struct IoCase {
    const char* name;
    std::string_view text;
    bool ok;
    std::uint64_t read_bytes;
    std::uint64_t write_bytes;
    std::size_t devices;
};

void check_io(const IoCase& c, const std::optional<BlockIoBytes>& io) {
    ASSERT_EQ(io.has_value(), c.ok) << c.name;
    if (!io) return;
    EXPECT_EQ(io->read_bytes, c.read_bytes) << c.name;
    EXPECT_EQ(io->write_bytes, c.write_bytes) << c.name;
    EXPECT_EQ(io->devices, c.devices) << c.name;
}

TEST(CgroupParser, BlkioServiceBytes) {
    const IoCase cases[] = {
        {"two devices",
         "8:0 Read 4096\n8:0 Write 1024\n8:0 Sync 5120\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 5120\n"
         "8:16 Read 1\n8:16 Write 2\n8:16 Total 3\nTotal 5123\n",
         true, 4097, 1026, 2},
        {"no I/O yet", "Total 0\n", true, 0, 0, 0},
        {"no final newline", "8:0 Read 5\n8:0 Write 6\nTotal 11", true, 5, 6, 1},
        {"unknown op ignored", "8:0 Read 5\n8:0 Frobnicate 99\n8:0 Write 6\n", true, 5, 6, 1},
        {"garbage lines skipped", "8:0 Read 5\nhello world\n8:0 Write x\nsda Read 9\n", true, 5, 0, 1},
        {"empty", "", false, 0, 0, 0},
        {"garbage only", "not a blkio file\n", false, 0, 0, 0},
        {"saturates instead of wrapping", "8:0 Read 18446744073709551615\n8:16 Read 5\n", true, UINT64_MAX, 0, 2},
    };
    for (const auto& c : cases) check_io(c, parse_blkio_service_bytes(c.text));
}

TEST(CgroupParser, IoStat) {
    const IoCase cases[] = {
        {"documented example",
         "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n"
         "8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n",
         true, 91889664, 613781504, 2},
        {"empty file: no I/O yet", "", true, 0, 0, 0},
        {"only newline", "\n", true, 0, 0, 0},
        {"no final newline", "8:0 rbytes=1 wbytes=2", true, 1, 2, 1},
        {"missing wbytes", "8:0 rbytes=1 rios=1\n", true, 1, 0, 1},
        {"unknown keys ignored", "8:0 rbytes=1 cost.usage=5 wbytes=2 junk\n", true, 1, 2, 1},
        {"bad value skipped", "8:0 rbytes=x wbytes=2\n", true, 0, 2, 1},
        {"garbage only", "rbytes=1 wbytes=2\n", false, 0, 0, 0},
    };
    for (const auto& c : cases) check_io(c, parse_io_stat(c.text));
}

TEST(CgroupParser, ProcCgroupV1AndHybrid) {
    auto entries = parse_proc_cgroup(
        "12:pids:/docker/abc\n"
        "4:cpu,cpuacct:/system.slice/docker-abc.scope\n"
        "1:name=systemd:/docker/abc\n"
        "0::/docker/abc");
    ASSERT_EQ(entries.size(), 4U);
    EXPECT_EQ(entries[0].hierarchy_id, 12U);
    EXPECT_EQ(entries[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_TRUE(entries[3].controllers.empty());
    EXPECT_EQ(find_proc_cgroup_path(entries, "cpuacct"), "/system.slice/docker-abc.scope");
    EXPECT_EQ(find_proc_cgroup_path(entries, "cpu"), "/system.slice/docker-abc.scope");
    EXPECT_EQ(find_proc_cgroup_path(entries, "pids"), "/docker/abc");
    EXPECT_EQ(find_proc_cgroup_path(entries, "name=systemd"), "/docker/abc");
    EXPECT_EQ(find_proc_cgroup_path(entries, ""), "/docker/abc");
    EXPECT_EQ(find_proc_cgroup_path(entries, "memory"), std::nullopt);
    EXPECT_EQ(find_proc_cgroup_path(entries, "cpuac"), std::nullopt);
}

TEST(CgroupParser, ProcCgroupEdgeCases) {
    EXPECT_TRUE(parse_proc_cgroup("").empty());
    EXPECT_TRUE(parse_proc_cgroup("garbage\nx:y\n:memory:/a\n4:memory:\n").empty());
    auto v2 = parse_proc_cgroup("0::/system.slice/docker-abc.scope\n");
    EXPECT_EQ(find_proc_cgroup_path(v2, ""), "/system.slice/docker-abc.scope");
    EXPECT_EQ(find_proc_cgroup_path(v2, "memory"), std::nullopt);
    auto colon = parse_proc_cgroup("0::/weird:name\n");
    ASSERT_EQ(colon.size(), 1U);
    EXPECT_EQ(colon[0].path, "/weird:name");
    auto relative = parse_proc_cgroup("0::/../../docker/abc\n");
    EXPECT_EQ(find_proc_cgroup_path(relative, ""), "/../../docker/abc");
}

TEST(CgroupParser, CpuMax) {
    // Documentation/admin-guide/cgroup-v2.rst, cpu.max: "$MAX $PERIOD", $MAX may be "max".
    auto limited = parse_cpu_max("150000 100000\n");
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->quota_us, 150000U);
    EXPECT_EQ(limited->period_us, 100000U);
    auto unlimited = parse_cpu_max("max 100000");
    ASSERT_TRUE(unlimited);
    EXPECT_FALSE(unlimited->quota_us);
    EXPECT_EQ(unlimited->period_us, 100000U);
    for (const char* junk : {"", "max", "100000", "x 100000", "1 2 3", "-1 100000"}) EXPECT_FALSE(parse_cpu_max(junk)) << junk;
}

TEST(CgroupParser, CpuUserSystem) {
    // cgroup-v1/cpuacct.rst: cpuacct.stat in USER_HZ.
    auto v1 = parse_cpuacct_stat_ns("user 180\nsystem 45\n", 100);
    EXPECT_EQ(v1.user_ns, 1800000000U);
    EXPECT_EQ(v1.system_ns, 450000000U);
    EXPECT_FALSE(parse_cpuacct_stat_ns("user 1\n", 100).system_ns);
    EXPECT_FALSE(parse_cpuacct_stat_ns("user 1\nsystem 1\n", 0).user_ns) << "no tick rate: unknown";
    EXPECT_FALSE(parse_cpuacct_stat_ns("user 18446744073709551615\n", 100).user_ns) << "overflow";
    auto v2 = parse_cpu_stat_user_system_ns("usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
    EXPECT_EQ(v2.user_ns, 2000000000U);
    EXPECT_EQ(v2.system_ns, 500000000U);
    EXPECT_FALSE(parse_cpu_stat_user_system_ns("").user_ns);
}

}  // namespace
}  // namespace cmon::sources
