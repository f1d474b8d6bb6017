// The small sysfs/procfs value parsers of the DRM backend, with edge cases.
#include <gtest/gtest.h>

#include "sources/gpu/drm/sysfs_value_parser.hpp"

namespace cmon::sources {
namespace {

TEST(SysfsValueParser, HexIds) {
    EXPECT_EQ(parse_sysfs_hex("0x1002\n"), 0x1002U);
    EXPECT_EQ(parse_sysfs_hex("0x8086"), 0x8086U);
    EXPECT_EQ(parse_sysfs_hex("0X56A0\n"), 0x56a0U);
    EXPECT_EQ(parse_sysfs_hex("0xffffffff"), 0xffffffffU);
    for (const char* bad : {"", "0x", "1002", "0x1g02", "0x123456789", "x1002", " "})
        EXPECT_FALSE(parse_sysfs_hex(bad)) << bad;
}

TEST(SysfsValueParser, Numbers) {
    EXPECT_EQ(parse_sysfs_u64("37\n"), 37U);
    EXPECT_EQ(parse_sysfs_u64("68702699520"), 68702699520U);
    EXPECT_FALSE(parse_sysfs_u64(""));
    EXPECT_FALSE(parse_sysfs_u64("-5\n"));
    EXPECT_FALSE(parse_sysfs_u64("12 MHz"));
}

TEST(SysfsValueParser, Uevent) {
    const char* text = "DRIVER=amdgpu\nPCI_CLASS=38000\nPCI_SLOT_NAME=0000:03:00.0\nEMPTY=\n";
    EXPECT_EQ(parse_uevent_value(text, "PCI_SLOT_NAME"), "0000:03:00.0");
    EXPECT_EQ(parse_uevent_value(text, "DRIVER"), "amdgpu");
    EXPECT_FALSE(parse_uevent_value(text, "EMPTY"));
    EXPECT_FALSE(parse_uevent_value(text, "PCI"));  // a prefix is not the key
    EXPECT_FALSE(parse_uevent_value("", "DRIVER"));
}

TEST(SysfsValueParser, KfdProperties) {
    const auto properties = parse_kfd_properties(
        "cpu_cores_count 0\nsimd_count 416\nbroken\nsimd_per_cu 4\n"
        "unique_id 11651184224519798552\nname x y\nneg -1");
    EXPECT_EQ(properties.at("simd_count"), 416U);
    EXPECT_EQ(properties.at("simd_per_cu"), 4U);
    EXPECT_EQ(properties.at("unique_id"), 11651184224519798552ULL);
    EXPECT_EQ(properties.count("broken"), 0U);
    EXPECT_EQ(properties.count("name"), 0U);
    EXPECT_EQ(properties.count("neg"), 0U);
    EXPECT_TRUE(parse_kfd_properties("").empty());
}

}  // namespace
}  // namespace cmon::sources
