// MountTable: the disk mounts of a mountinfo file, read again only when the kernel says the table changed.
#include "sources/host/mount_table.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

const char* kRootOnly = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
const char* kRootAndData =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "40 22 8:17 / /data rw,relatime shared:9 - xfs /dev/sdb1 rw\n";

TEST(MountTable, APlainFileIsReadEveryTime) {
    const fs::path file = fs::temp_directory_path() / ("cmon-mountinfo-" + std::to_string(::getpid()));
    std::ofstream(file) << kRootOnly;
    MountTable table(file);
    ASSERT_EQ(table.disk_mounts().size(), 1U);
    // Replaced (a fixture rewritten between samples): no POLLPRI from a plain file, so it is read again.
    const fs::path next = file.string() + ".new";
    std::ofstream(next) << kRootAndData;
    fs::rename(next, file);
    ASSERT_EQ(table.disk_mounts().size(), 2U);
    EXPECT_EQ(table.disk_mounts()[1].mount_point, "/data");
    EXPECT_EQ(table.reads(), 3U);
    fs::remove(file);
    EXPECT_TRUE(table.disk_mounts().empty());  // gone: no mounts, no error
}

// On procfs the table is parsed once and again only after a mount: checked in a child process with a
// mount namespace of its own (as root), so that the mount it makes is seen by nobody else.
TEST(MountTableSystem, ProcMountinfoIsReadAgainOnlyAfterAMountChange) {
    if (::geteuid() != 0) GTEST_FAIL() << "needs root (a private mount namespace): run the suite as root";
    const fs::path dir = fs::temp_directory_path() / ("cmon-mnt-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::unshare(CLONE_NEWNS) != 0) _exit(10);
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(11);
        MountTable table("/proc/self/mountinfo");
        table.disk_mounts();
        table.disk_mounts();
        table.disk_mounts();
        if (table.reads() != 1) _exit(12);  // unchanged: parsed once
        if (::mount("cmon-test", dir.c_str(), "tmpfs", 0, "size=64k") != 0) _exit(13);
        table.disk_mounts();
        if (table.reads() != 2) _exit(14);  // the mount is noticed
        table.disk_mounts();
        if (table.reads() != 2) _exit(15);  // and only once
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    fs::remove(dir);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10-11: no namespace; 12: read while unchanged; 13: mount failed; "
                                          "14: change not seen; 15: read again without a change";
}

}  // namespace
}  // namespace cmon::sources
