// Tests for to_filesystem (statvfs -> model::Filesystem, pure) and read_filesystems on a fixture mountinfo.
#include "sources/host/filesystem_reader.hpp"

#include <gtest/gtest.h>

namespace cmon::sources {
namespace {

TEST(FilesystemReader, SizesAsDfShowsThem) {
    struct statvfs stats {};
    stats.f_frsize = 4096;
    stats.f_blocks = 1000;
    stats.f_bfree = 300;   // free, including blocks reserved for root
    stats.f_bavail = 250;  // free to unprivileged users
    MountEntry mount{"8:1", "/", "/srv/my disk", "xfs", "/dev/sdb1"};
    model::Filesystem fs = to_filesystem(mount, stats);
    EXPECT_EQ(fs.mount_point, "/srv/my disk");
    EXPECT_EQ(fs.device, "/dev/sdb1");
    EXPECT_EQ(fs.fs_type, "xfs");
    EXPECT_EQ(fs.total_bytes, 1000U * 4096);
    EXPECT_EQ(fs.used_bytes, 700U * 4096);
    EXPECT_EQ(fs.available_bytes, 250U * 4096);
}

TEST(FilesystemReader, HugeAndInconsistentCounts) {
    struct statvfs stats {};
    stats.f_frsize = 1 << 20;
    stats.f_blocks = 1ULL << 40;  // 1 EiB
    stats.f_bfree = (1ULL << 40) + 5;  // more free than total: clamp used to 0
    stats.f_bavail = 1ULL << 39;
    model::Filesystem fs = to_filesystem(MountEntry{}, stats);
    EXPECT_EQ(fs.total_bytes, 1ULL << 60);
    EXPECT_EQ(fs.used_bytes, 0U);
    EXPECT_EQ(fs.available_bytes, 1ULL << 59);
}

TEST(FilesystemReader, MissingMountinfoGivesNothing) {
    EXPECT_TRUE(read_filesystems(std::filesystem::path(CMON_FIXTURES_DIR) / "host" / "nope" / "mountinfo", {}).empty());
}

}  // namespace
}  // namespace cmon::sources
