// DrmProcessReader: which fds are DRM clients (readlink only; the /dev/dri targets do not exist here),
// the per-pid cache (a pid's fd list is read again only when its fd directory changed), exited pids
// dropped, and pids vanishing mid-scan.
#include "sources/gpu/drm/drm_process_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <thread>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

class DrmProcessReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("cmon-drm-proc-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
        fs::copy(fs::path(CMON_FIXTURES_DIR) / "drm" / "amdgpu" / "proc", root_ / "proc",
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    fs::path root_;
};

TEST_F(DrmProcessReaderTest, FindsDrmFdsByTheirLinkTarget) {
    DrmProcessReader reader(root_ / "proc");
    const DrmProcessScan scan = reader.scan();
    EXPECT_EQ(scan.processes, 4U);
    EXPECT_EQ(scan.denied, 0U);
    // 4101: fds 5, 6 (renderD128) and 7 (card0); 4102: fd 5; 4103: fd 4. /dev/null, sockets, pipes: no.
    ASSERT_EQ(scan.clients.size(), 5U);
    std::multiset<std::pair<unsigned, int>> fds;
    for (const auto& client : scan.clients) fds.insert({client.pid, client.fd});
    EXPECT_EQ(fds, (std::multiset<std::pair<unsigned, int>>{{4101, 5}, {4101, 6}, {4101, 7}, {4102, 5}, {4103, 4}}));
    for (const auto& client : scan.clients) {
        EXPECT_EQ(client.info.driver, "amdgpu");
        if (client.pid == 4101 && client.fd == 7) {
            EXPECT_EQ(client.node, "card0");
        }
    }
}

TEST_F(DrmProcessReaderTest, RescansAPidOnlyWhenItsFdDirectoryChanged) {
    DrmProcessReader reader(root_ / "proc");
    EXPECT_EQ(reader.scan().rescanned, 4U);  // every pid is new
    EXPECT_EQ(reader.scan().rescanned, 0U);  // nothing changed: fd lists from the cache
    EXPECT_EQ(reader.cached_pids(), 4U);

    // 4104 opens a render node: its fd directory changes, only it is listed again, and it is now a client.
    fs::create_symlink("/dev/dri/renderD128", root_ / "proc/4104/fd/9");
    std::ofstream(root_ / "proc/4104/fdinfo/9") << "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\ndrm-client-id:\t40\n";
    const DrmProcessScan after = reader.scan();
    EXPECT_EQ(after.rescanned, 1U);
    bool found = false;
    for (const auto& client : after.clients) found |= client.pid == 4104 && client.info.client_id == 40U;
    EXPECT_TRUE(found);

    // fdinfo values change every tick and are read every tick, without a rescan.
    std::ofstream(root_ / "proc/4104/fdinfo/9", std::ios::trunc)
        << "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\ndrm-client-id:\t40\ndrm-engine-gfx:\t77 ns\n";
    const DrmProcessScan values = reader.scan();
    EXPECT_EQ(values.rescanned, 0U);
    for (const auto& client : values.clients) {
        if (client.pid == 4104) {
            EXPECT_EQ(client.info.engines.at("gfx").busy_ns, 77U);
        }
    }
}

// Adds `count` plain processes (no DRM fd) 6000, 6001, ... to the fixture tree.
void add_plain_pids(const fs::path& proc, unsigned count) {
    for (unsigned i = 0; i < count; ++i) {
        const fs::path pid = proc / std::to_string(6000 + i);
        fs::create_directories(pid / "fd");
        fs::create_directories(pid / "fdinfo");
        fs::create_symlink("/dev/null", pid / "fd" / "0");
    }
}

void open_render_node(const fs::path& pid_dir, int fd, unsigned client_id) {
    fs::create_symlink("/dev/dri/renderD128", pid_dir / "fd" / std::to_string(fd));
    std::ofstream(pid_dir / "fdinfo" / std::to_string(fd))
        << "drm-driver:\tamdgpu\ndrm-pdev:\t0000:03:00.0\ndrm-client-id:\t" << client_id << "\n";
}

bool holds_client(const DrmProcessScan& scan, unsigned pid) {
    for (const auto& client : scan.clients) {
        if (client.pid == pid) return true;
    }
    return false;
}

TEST_F(DrmProcessReaderTest, TheLapChecksAFewPidsPerTickAndFindsALateOpenerWithinOneLap) {
    add_plain_pids(root_ / "proc", 40);
    DrmProcessReaderOptions options;
    options.lap_entries = 2;
    DrmProcessReader reader(root_ / "proc", options);
    EXPECT_EQ(reader.scan().checked, 44U);  // the first tick lists and checks everything
    // Past the start-up checks of young processes (ages 1..63 ticks), only the lap checks: <= 2 pids a tick.
    for (int i = 0; i < 70; ++i) reader.scan();
    unsigned laps = 0;
    for (int i = 0; i < 44; ++i) {
        const DrmProcessScan scan = reader.scan();
        EXPECT_LE(scan.checked, 2U);
        laps += scan.lap_completed ? 1 : 0;
        EXPECT_EQ(scan.clients.size(), 5U);  // known clients are read every tick all the same
    }
    EXPECT_GE(laps, 1U);
    // An old process opens a render node: found within one lap (44 pids, 2 a tick).
    open_render_node(root_ / "proc" / "6020", 9, 60);
    int ticks = 0;
    bool found = false;
    while (!found && ticks < 23) {
        ++ticks;
        found = holds_client(reader.scan(), 6020);
    }
    EXPECT_TRUE(found) << "not found within one lap";
}

TEST_F(DrmProcessReaderTest, AYoungProcessIsCheckedAgainSoonAfterItStarted) {
    add_plain_pids(root_ / "proc", 40);
    DrmProcessReaderOptions options;
    options.lap_entries = 1;
    DrmProcessReader reader(root_ / "proc", options);
    for (int i = 0; i < 70; ++i) reader.scan();
    // A new process appears; once the reader knows it, it opens its GPU a tick later (as a job's start-up
    // does). Its start-up checks (ages 1, 3, 7...) find it long before the lap (44 ticks) comes round.
    fs::create_directories(root_ / "proc" / "7000" / "fd");
    fs::create_directories(root_ / "proc" / "7000" / "fdinfo");
    int ticks = 0;
    while (reader.cached_pids() < 45 && ticks < 100) {
        ++ticks;
        reader.scan();
    }
    ASSERT_EQ(reader.cached_pids(), 45U);
    reader.scan();
    open_render_node(root_ / "proc" / "7000", 3, 70);
    ticks = 0;
    bool found = false;
    while (!found && ticks < 8) {
        ++ticks;
        found = holds_client(reader.scan(), 7000);
    }
    EXPECT_TRUE(found) << "a young process was not checked again within 8 ticks";
}

// The real /proc: this process holds a file whose path looks like a DRM node (dri_prefix points at a temp
// directory); on procfs its fdinfo stays open between ticks, and closing the file drops it at once.
TEST_F(DrmProcessReaderTest, OnProcfsAClientsFdinfoIsKeptOpenAndAClosedOneLeavesAtOnce) {
    fs::create_directories(root_ / "dri");
    std::ofstream(root_ / "dri" / "renderD128") << "";
    const int fd = ::open((root_ / "dri" / "renderD128").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    DrmProcessReaderOptions options;
    options.dri_prefix = (root_ / "dri").string() + "/";
    DrmProcessReader reader("/proc", options);
    EXPECT_EQ(reader.scan().drm_fds, 1U);
    EXPECT_EQ(reader.kept_open(), 1U);
    EXPECT_EQ(reader.scan().drm_fds, 1U);
    EXPECT_EQ(reader.kept_open(), 1U);
    ::close(fd);
    EXPECT_EQ(reader.scan().drm_fds, 0U);
    EXPECT_EQ(reader.kept_open(), 0U);
}

TEST_F(DrmProcessReaderTest, ExitedPidsLeaveTheCache) {
    DrmProcessReader reader(root_ / "proc");
    reader.scan();
    fs::remove_all(root_ / "proc/4103");
    const DrmProcessScan scan = reader.scan();
    EXPECT_EQ(scan.processes, 3U);
    EXPECT_EQ(reader.cached_pids(), 3U);
    for (const auto& client : scan.clients) EXPECT_NE(client.pid, 4103U);
}

TEST_F(DrmProcessReaderTest, ClosedFdBetweenListingAndFdinfoIsSkipped) {
    DrmProcessReader reader(root_ / "proc");
    reader.scan();
    fs::remove(root_ / "proc/4103/fdinfo/4");  // the fd closed after its link was read
    for (const auto& client : reader.scan().clients) EXPECT_NE(client.pid, 4103U);
}

// Removes a pid directory and copies it back file by file (fd links as links), over and over, so scans
// meet every partial state: no fd directory, links without fdinfo, fdinfo without links.
class Churn {
public:
    Churn(fs::path original, fs::path live)
        : thread_([this, original, live] {
              while (!stop_) {
                  std::error_code ignored;
                  fs::remove_all(live, ignored);
                  fs::copy(original, live, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ignored);
                  ++rounds_;
              }
          }) {}
    ~Churn() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int rounds() const { return rounds_; }

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> rounds_{0};
    std::thread thread_;
};

TEST_F(DrmProcessReaderTest, PidsVanishingMidScanNeverBreakTheScan) {
    fs::copy(root_ / "proc", root_ / "original", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    DrmProcessReader reader(root_ / "proc");
    {
        Churn churn_a(root_ / "original" / "4101", root_ / "proc" / "4101");
        Churn churn_b(root_ / "original" / "4103", root_ / "proc" / "4103");
        // At least 300 scans, and on until each churn has gone round a few times: on a loaded machine the
        // threads may not have been scheduled before 300 scans end (CI saw zero rounds once).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        int scans = 0;
        while ((scans < 300 || churn_a.rounds() < 3 || churn_b.rounds() < 3) &&
               std::chrono::steady_clock::now() < deadline) {
            for (const auto& client : reader.scan().clients)
                EXPECT_TRUE(client.pid == 4101 || client.pid == 4102 || client.pid == 4103) << client.pid;
            ++scans;
        }
        EXPECT_GE(churn_a.rounds(), 3);
        EXPECT_GE(churn_b.rounds(), 3);
    }
    // The churn leaves the directories whole: the cache must not keep a half-seen fd list.
    fs::remove_all(root_ / "proc" / "4101");
    fs::remove_all(root_ / "proc" / "4103");
    fs::copy(root_ / "original" / "4101", root_ / "proc" / "4101",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    fs::copy(root_ / "original" / "4103", root_ / "proc" / "4103",
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    EXPECT_EQ(reader.scan().clients.size(), 5U);
}

}  // namespace
}  // namespace cmon::sources
