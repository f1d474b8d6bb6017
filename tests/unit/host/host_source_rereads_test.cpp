// What HostSource reads again each sample and what only when a cheap signal says it changed: /sys/block
// when diskstats' device names change, the primary IPv4 (fib_trie) when /proc/net/route's text changes or
// every kPrimaryIpv4RecheckSamples samples; and on procfs the per-sample files stay open yet read fresh.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "sources/host/host_source.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

class HostSourceRereads : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("cmon-host-rereads-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        fs::copy(fs::path(CMON_FIXTURES_DIR) / "host" / "debian12-vm", root_, fs::copy_options::recursive);
        paths_.proc = root_ / "proc";
        paths_.sys = root_ / "sys";
    }
    void TearDown() override { fs::remove_all(root_); }

    static std::string read(const fs::path& path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    // Write-then-rename, as the kernel's files change atomically for a reader.
    static void write(const fs::path& path, const std::string& text) {
        fs::path temp = path;
        temp += ".tmp";
        std::ofstream(temp) << text;
        fs::rename(temp, path);
    }
    static void replace_all(const fs::path& path, const std::string& from, const std::string& to) {
        std::string text = read(path);
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
        write(path, text);
    }
    model::HostStats collect(HostSource& source) {
        model::Snapshot draft;
        source.collect(draft);
        return draft.host;
    }

    fs::path root_;
    HostPaths paths_;
};

TEST_F(HostSourceRereads, ListsSysBlockAgainOnlyWhenDiskstatsNamesChange) {
    HostSource source(paths_, root_);
    EXPECT_EQ(collect(source).disk_read.bytes_total, 3800138ULL * 512);  // vda
    replace_all(paths_.proc / "diskstats", " vda 35854", " vda 35855");  // counters move, names do not
    collect(source);
    collect(source);
    EXPECT_EQ(source.disk_listings(), 1U);

    // A new disk: its /sys/block entry exists before diskstats shows it.
    fs::create_directories(paths_.sys / "block" / "vdb");
    std::string diskstats = read(paths_.proc / "diskstats");
    diskstats += " 254      16 vdb 10 0 1000 0 20 0 2000 0 0 0 0 0 0 0 0 0 0\n";
    write(paths_.proc / "diskstats", diskstats);
    const model::HostStats host = collect(source);
    EXPECT_EQ(source.disk_listings(), 2U);
    EXPECT_EQ(host.disk_read.bytes_total, (3800138ULL + 1000) * 512) << "vdb counted";
    EXPECT_EQ(host.disk_write.bytes_total, (1898728ULL + 2000) * 512);
    collect(source);
    EXPECT_EQ(source.disk_listings(), 2U);
}

TEST_F(HostSourceRereads, PrimaryIpv4IsWorkedOutAgainWhenRouteChangesOrAfterTheRecheckInterval) {
    HostSource source(paths_, root_);
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.2");
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.2");
    EXPECT_EQ(source.primary_ipv4_computations(), 1U) << "route unchanged: fib_trie not read again";

    // The address replaced inside the same subnet: route reads the same, so the answer waits...
    replace_all(paths_.proc / "net" / "fib_trie", "192.0.2.2", "192.0.2.3");
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.2");
    // ...until route's text changes (here a use counter of the connected route)...
    replace_all(paths_.proc / "net" / "route", "000200C0\t00000000\t0001\t0\t0", "000200C0\t00000000\t0001\t0\t7");
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.3");
    EXPECT_EQ(source.primary_ipv4_computations(), 2U);

    // ...or for at most kPrimaryIpv4RecheckSamples samples.
    replace_all(paths_.proc / "net" / "fib_trie", "192.0.2.3", "192.0.2.4");
    std::string seen;
    unsigned samples = 0;
    while (samples < HostSource::kPrimaryIpv4RecheckSamples + 1 && seen != "192.0.2.4") {
        seen = collect(source).primary_ipv4;
        ++samples;
    }
    EXPECT_EQ(seen, "192.0.2.4");
    EXPECT_EQ(samples, HostSource::kPrimaryIpv4RecheckSamples);
    EXPECT_EQ(source.primary_ipv4_computations(), 3U);

    // No route file at all: loopback, as before, and a route coming back is read at once.
    const std::string route = read(paths_.proc / "net" / "route");
    fs::remove(paths_.proc / "net" / "route");
    EXPECT_EQ(collect(source).primary_ipv4, "127.0.0.1");
    write(paths_.proc / "net" / "route", route);
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.4");
}

// pid 1's route (another network namespace) reading the same as our own is still another table.
TEST_F(HostSourceRereads, PrimaryIpv4IsWorkedOutAgainWhenRouteComesFromAnotherNamespace) {
    HostSource source(paths_, root_);
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.2");
    fs::create_directories(paths_.proc / "1" / "net");
    write(paths_.proc / "1" / "net" / "route", read(paths_.proc / "net" / "route"));
    std::string fib_trie = read(paths_.proc / "net" / "fib_trie");
    for (auto at = fib_trie.find("192.0.2.2"); at != std::string::npos; at = fib_trie.find("192.0.2.2", at))
        fib_trie.replace(at, 9, "192.0.2.7");
    write(paths_.proc / "1" / "net" / "fib_trie", fib_trie);
    EXPECT_EQ(collect(source).primary_ipv4, "192.0.2.7");
    EXPECT_EQ(source.primary_ipv4_computations(), 2U);
}

TEST_F(HostSourceRereads, FixtureFilesAreNotKeptOpen) {
    HostSource source(paths_, root_);
    collect(source);
    EXPECT_EQ(source.kept_files(), 0U);
    // A replaced file (a new inode) is what the next collect reads.
    replace_all(paths_.proc / "sys" / "kernel" / "hostname", "vm", "vm2");
    EXPECT_EQ(collect(source).hostname, "vm2");
}

// On the real /proc the per-sample files are kept open, and each read is the kernel's text of now.
TEST(HostSourceOnProcfs, KeepsItsFilesOpenAndReadsThemFresh) {
    HostSource source{HostPaths{}};
    model::Snapshot first;
    source.collect(first);
    EXPECT_EQ(source.kept_files(), 8U);  // stat, meminfo, loadavg, uptime, route, fib_trie, dev, diskstats
    ASSERT_TRUE(first.host.uptime_seconds);
    // The host name (from uname() on procfs) is the kernel's name as its file tells it.
    std::ifstream hostname_file("/proc/sys/kernel/hostname");
    std::string kernel_name;
    std::getline(hostname_file, kernel_name);
    ASSERT_FALSE(kernel_name.empty());
    EXPECT_EQ(first.host.hostname, kernel_name);
    // /proc/uptime moves every 10 ms: a kept file that returned old text would never show it move.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    model::Snapshot later;
    do {
        later = model::Snapshot{};
        source.collect(later);
        ASSERT_TRUE(later.host.uptime_seconds);
    } while (*later.host.uptime_seconds == *first.host.uptime_seconds && std::chrono::steady_clock::now() < deadline);
    EXPECT_GT(*later.host.uptime_seconds, *first.host.uptime_seconds);
    EXPECT_GE(later.host.cpu_times.total_ticks, first.host.cpu_times.total_ticks);
    EXPECT_EQ(source.kept_files(), 8U);
}

}  // namespace
}  // namespace cmon::sources
