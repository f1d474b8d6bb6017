// Tests for parse_diskstats (/proc/diskstats) and the whole-disk sum.
#include "sources/host/diskstats_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cmon::sources {
namespace {

TEST(DiskstatsParser, Table) {
    struct Case {
        const char* label;
        std::string text;
        std::size_t entries;
        std::uint64_t first_read;
        std::uint64_t first_written;
    };
    const Case cases[] = {
        {"empty input", "", 0, 0, 0},
        {"modern kernel, 20 columns",
         " 254       0 vda 35854 8833 3800138 19523 24305 10067 1898728 14762 0 11044 36533 4506 61 358896 1366 "
         "1409 880\n",
         1, 3800138, 1898728},
        {"old kernel, 14 columns, no final newline", "   8 0 sda 1 2 30 4 5 6 70 8 9 10 11", 1, 30, 70},
        {"huge value", "8 0 sda 0 0 18446744073709551615 0 0 0 1 0 0 0 0\n", 1, 18446744073709551615ULL, 1},
        {"too few columns", "8 0 sda 1 2 3 4 5 6\n", 0, 0, 0},
        {"junk sector count", "8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n", 0, 0, 0},
        {"junk major", "x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n", 0, 0, 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        auto entries = parse_diskstats(c.text);
        ASSERT_EQ(entries.size(), c.entries);
        if (entries.empty()) continue;
        EXPECT_EQ(entries[0].sectors_read, c.first_read);
        EXPECT_EQ(entries[0].sectors_written, c.first_written);
    }
}

TEST(DiskstatsParser, CountedBlockDevices) {
    for (const char* name : {"sda", "vda", "nvme0n1", "mmcblk0", "xvda", "sr0"}) {
        EXPECT_TRUE(is_counted_block_device(name)) << name;
    }
    for (const char* name : {"", "loop0", "ram0", "zram0", "dm-0", "md0", "md127"}) {
        EXPECT_FALSE(is_counted_block_device(name)) << name;
    }
}

TEST(DiskstatsParser, SumsWholeDisksOnly) {
    auto entries = parse_diskstats(
        "   8 0 sda 0 0 100 0 0 0 200 0 0 0 0\n"
        "   8 1 sda1 0 0 90 0 0 0 190 0 0 0 0\n"
        " 259 0 nvme0n1 0 0 1 0 0 0 2 0 0 0 0\n"
        " 259 1 nvme0n1p1 0 0 1 0 0 0 2 0 0 0 0\n"
        "   7 0 loop0 0 0 50 0 0 0 50 0 0 0 0\n"
        " 253 0 dm-0 0 0 80 0 0 0 80 0 0 0 0\n");
    // The caller's set may come from a /sys/block that still lists loop0 and dm-0: they are not counted.
    DiskTotals totals = sum_whole_disks(entries, {"sda", "nvme0n1", "loop0", "dm-0", "sdz"});
    EXPECT_EQ(totals.read_bytes, 101U * 512);
    EXPECT_EQ(totals.write_bytes, 202U * 512);
    EXPECT_EQ(sum_whole_disks(entries, {}).read_bytes, 0U);
}

}  // namespace
}  // namespace cmon::sources
