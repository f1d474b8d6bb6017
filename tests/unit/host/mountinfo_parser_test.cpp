// Tests for parse_mountinfo, decode_mount_escapes and the real-disk filter select_disk_mounts.
#include "sources/host/mountinfo_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cmon::sources {
namespace {

std::vector<std::string> mount_points(const std::vector<MountEntry>& mounts) {
    std::vector<std::string> out;
    for (const auto& mount : mounts) out.push_back(mount.mount_point);
    return out;
}

TEST(MountinfoParser, ParsesFieldsWithOptionalTags) {
    auto mounts = parse_mountinfo(
        "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue\n"
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw");
    ASSERT_EQ(mounts.size(), 2U);
    EXPECT_EQ(mounts[0].device_number, "98:0");
    EXPECT_EQ(mounts[0].root, "/mnt1");
    EXPECT_EQ(mounts[0].mount_point, "/mnt2");
    EXPECT_EQ(mounts[0].fs_type, "ext3");
    EXPECT_EQ(mounts[0].source, "/dev/root");
    EXPECT_EQ(mounts[1].mount_point, "/");
}

TEST(MountinfoParser, MalformedAndEmptyInput) {
    const char* cases[] = {
        "",
        "\n\n",
        "36 35 98:0 / /mnt rw - ext4\n",            // no source after the fs type
        "36 35 98:0 / /mnt rw ext4 /dev/sda1 rw\n",  // no separator
        "36 35 / /mnt rw - ext4 /dev/sda1 rw\n",     // too few fields before the separator
        "36 35 980 / /mnt rw - ext4 /dev/sda1 rw\n", // device number without ':'
    };
    for (const char* text : cases) {
        SCOPED_TRACE(text);
        EXPECT_TRUE(parse_mountinfo(text).empty());
    }
}

TEST(MountinfoParser, DecodesOctalEscapes) {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        {"/mnt/my\\040disk", "/mnt/my disk"}, {"/a\\011b\\012c\\134d", "/a\tb\nc\\d"}, {"\\043x", "#x"},
        {"/trailing\\04", "/trailing\\04"},   {"/not\\08octal", "/not\\08octal"},    {"/big\\777", "/big\\777"},
        {"", ""},
    };
    for (const auto& c : cases) EXPECT_EQ(decode_mount_escapes(c.in), c.out) << c.in;
    auto mounts = parse_mountinfo("40 1 8:17 / /media/usb\\040stick rw - vfat /dev/sdb1 rw\n");
    ASSERT_EQ(mounts.size(), 1U);
    EXPECT_EQ(mounts[0].mount_point, "/media/usb stick");
}

// A docker host: root disk, /boot, a data disk, pseudo filesystems, overlay and bind mounts of containers.
constexpr const char* kDockerHost =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "23 22 0:21 / /proc rw - proc proc rw\n"
    "24 22 0:22 / /sys rw - sysfs sysfs rw\n"
    "25 24 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
    "26 22 0:5 / /dev rw - devtmpfs udev rw\n"
    "27 22 0:24 / /run rw - tmpfs tmpfs rw\n"
    "28 22 8:2 / /boot rw - ext4 /dev/sda2 rw\n"
    "29 28 8:3 / /boot/efi rw - vfat /dev/sda3 rw\n"
    "30 22 8:16 / /srv/data\\040disk rw - xfs /dev/sdb rw\n"
    "31 22 8:16 / /mnt/alias rw - xfs /dev/sdb rw\n"
    "32 22 0:45 / /var/lib/docker/overlay2/abc/merged rw - overlay overlay rw\n"
    "33 22 8:1 /var/lib/docker/volumes/v/_data /srv/vol rw - ext4 /dev/sda1 rw\n"
    "34 27 0:46 / /run/docker/netns/x rw - nsfs nsfs rw\n"
    "35 22 7:0 / /snap/core/1 ro - squashfs /dev/loop0 ro\n"
    "36 22 0:50 / /mnt/nas rw - nfs4 nas:/export rw\n"
    "37 22 8:32 / /var/lib/containerd/x rw - ext4 /dev/sdc rw\n"
    "38 22 0:51 / /sysroot rw - ext4 /dev/sdd rw\n";

TEST(MountinfoParser, SelectsRealDisksOnADockerHost) {
    auto selected = select_disk_mounts(parse_mountinfo(kDockerHost));
    EXPECT_EQ(mount_points(selected),
              (std::vector<std::string>{"/", "/boot", "/boot/efi", "/mnt/alias", "/sysroot"}));
}

TEST(MountinfoParser, DedupeKeepsShortestMountPointWhateverTheOrder) {
    auto selected = select_disk_mounts(parse_mountinfo("1 0 8:1 / /data/long/path rw - ext4 /dev/sda1 rw\n"
                                                       "2 0 8:2 / /other rw - ext4 /dev/sda2 rw\n"
                                                       "3 0 8:1 / /d rw - ext4 /dev/sda1 rw\n"
                                                       "4 0 8:1 / /dd rw - ext4 /dev/sda1 rw\n"));
    EXPECT_EQ(mount_points(selected), (std::vector<std::string>{"/other", "/d"}));
}

TEST(MountinfoParser, BtrfsSubvolumesFoldIntoTheirDevice) {
    auto selected = select_disk_mounts(parse_mountinfo("1 0 0:30 /@ / rw - btrfs /dev/nvme0n1p2 rw\n"
                                                       "2 1 0:30 /@home /home rw - btrfs /dev/nvme0n1p2 rw\n"
                                                       "3 1 0:31 /sub /bind rw - ext4 /dev/sdz rw\n"));
    EXPECT_EQ(mount_points(selected), (std::vector<std::string>{"/"}));
}

TEST(MountinfoParser, SelectOnNothing) { EXPECT_TRUE(select_disk_mounts({}).empty()); }

}  // namespace
}  // namespace cmon::sources
