// HostSource over checked-in /proc trees (tests/fixtures/host/*): what one collect() puts in draft.host.
#include "sources/host/host_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "util/error.hpp"

namespace cmon::sources {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(CMON_FIXTURES_DIR) / "host";

HostPaths paths_under(const std::filesystem::path& root) {
    HostPaths paths;
    paths.proc = root / "proc";
    paths.sys = root / "sys";
    return paths;
}

TEST(HostSource, CollectsTheCapturedDebianVm) {
    const auto root = kFixtures / "debian12-vm";
    // statvfs goes to <fixture root> + "/", which exists, so "/" is sized from the disk holding the repo.
    HostSource source(paths_under(root), root);
    EXPECT_EQ(source.name(), "host");
    model::Snapshot draft;
    source.collect(draft);
    const model::HostStats& host = draft.host;

    EXPECT_EQ(host.cpu_count, 2U);
    EXPECT_EQ(host.cpu_times.busy_ticks, 25588U + 4426 + 289 + 1061);
    EXPECT_EQ(host.cpu_times.total_ticks, 25588U + 4426 + 289 + 1061 + 774257 + 599);
    EXPECT_EQ(host.memory_total_bytes, 24683656ULL * 1024);
    EXPECT_EQ(host.memory_available_bytes, 24290768ULL * 1024);
    EXPECT_EQ(host.memory_used_bytes, (24683656ULL - 24290768) * 1024);
    EXPECT_EQ(host.swap_total_bytes, 0U);
    EXPECT_EQ(host.swap_used_bytes, 0U);
    ASSERT_TRUE(host.load);
    EXPECT_DOUBLE_EQ(host.load->one, 0.92);
    EXPECT_DOUBLE_EQ(host.load->fifteen, 0.31);
    EXPECT_EQ(host.uptime_seconds, 4033.85);
    EXPECT_EQ(host.hostname, "vm");
    EXPECT_EQ(host.primary_ipv4, "192.0.2.2");
    // eth0 only: lo and the ifb mirrors are left out.
    EXPECT_EQ(host.network_rx.bytes_total, 82750142U);
    EXPECT_EQ(host.network_tx.bytes_total, 81796U);
    EXPECT_FALSE(host.network_rx.bytes_per_second);
    // vda only: loop0 and zram0 are listed in sys/block but not counted; loop1..7 are not listed.
    EXPECT_EQ(host.disk_read.bytes_total, 3800138ULL * 512);
    EXPECT_EQ(host.disk_write.bytes_total, 1898728ULL * 512);

    ASSERT_EQ(host.filesystems.size(), 1U);  // tmpfs, proc, sysfs, cgroup... filtered out
    const model::Filesystem& fs = host.filesystems[0];
    EXPECT_EQ(fs.mount_point, "/");
    EXPECT_EQ(fs.device, "/dev/vda");
    EXPECT_EQ(fs.fs_type, "ext4");
    EXPECT_GT(fs.total_bytes, 0U);
    EXPECT_LE(fs.used_bytes, fs.total_bytes);
    EXPECT_LE(fs.available_bytes, fs.total_bytes);
}

TEST(HostSource, StatvfsFailureSkipsTheFilesystem) {
    const auto root = kFixtures / "debian12-vm";
    HostSource source(paths_under(root), root / "no-such-root");
    model::Snapshot draft;
    source.collect(draft);
    EXPECT_TRUE(draft.host.filesystems.empty());
    EXPECT_EQ(draft.host.hostname, "vm");
}

TEST(HostSource, MissingOptionalFilesLeaveFieldsEmpty) {
    HostSource source(paths_under(kFixtures / "minimal"));
    model::Snapshot draft;
    draft.host.hostname = "stale";
    draft.host.load = model::LoadAverage{1, 1, 1};
    source.collect(draft);
    const model::HostStats& host = draft.host;

    EXPECT_EQ(host.cpu_count, 1U);
    EXPECT_EQ(host.cpu_times.busy_ticks, 180U);  // guest (40) is inside user, not added
    EXPECT_EQ(host.cpu_times.total_ticks, 1200U);
    EXPECT_EQ(host.memory_total_bytes, 1000U * 1024);
    EXPECT_EQ(host.memory_available_bytes, 500U * 1024);  // MemFree+Buffers+Cached
    EXPECT_EQ(host.memory_used_bytes, 500U * 1024);
    EXPECT_EQ(host.swap_total_bytes, 400U * 1024);
    EXPECT_EQ(host.swap_used_bytes, 300U * 1024);
    EXPECT_FALSE(host.load);
    EXPECT_FALSE(host.uptime_seconds);
    EXPECT_EQ(host.hostname, "");
    EXPECT_EQ(host.primary_ipv4, "127.0.0.1");
    EXPECT_TRUE(host.filesystems.empty());
    // pid 1's net/dev (host namespace) wins over our own: ens3 only.
    EXPECT_EQ(host.network_rx.bytes_total, 1000U);
    EXPECT_EQ(host.network_tx.bytes_total, 2000U);
    EXPECT_EQ(host.disk_read.bytes_total, 0U);
}

TEST(HostSource, UnreadableRequiredFilesThrow) {
    const auto missing = kFixtures / "does-not-exist";
    HostSource source(paths_under(missing));
    model::Snapshot draft;
    try {
        source.collect(draft);
        FAIL() << "collect() did not throw";
    } catch (const util::Error& error) {
        EXPECT_EQ(std::string(error.what()), "host: cannot read " + (missing / "proc" / "stat").string());
    }

    // /proc/stat present but /proc/meminfo not: a proc tree with only stat.
    HostPaths only_stat = paths_under(kFixtures / "minimal");
    only_stat.proc = kFixtures / "minimal" / "proc" / "1";  // has net/ but no stat
    EXPECT_THROW(HostSource(only_stat).collect(draft), util::Error);
}

}  // namespace
}  // namespace cmon::sources
