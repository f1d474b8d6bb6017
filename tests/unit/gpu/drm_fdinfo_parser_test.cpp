// parse_drm_fdinfo / parse_drm_size / drm_device_memory_bytes on literal text in the formats of
// Documentation/gpu/drm-usage-stats.rst and the drivers' own fdinfo printers (amdgpu 5.14-5.18 and 5.19+,
// i915, xe), with an edge-case table.
#include <gtest/gtest.h>

#include "sources/gpu/drm/fdinfo_parser.hpp"

namespace cmon::sources {
namespace {

TEST(DrmFdinfoParser, Amdgpu519NanosecondEnginesAndDeprecatedMemoryKeys) {
    // amdgpu_fdinfo.c 5.19-6.3: note the "drm-memory-gtt: \t" spacing the driver really prints.
    const auto info = parse_drm_fdinfo(
        "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1104\npasid:\t32775\ndrm-driver:\tamdgpu\n"
        "drm-pdev:\t0000:03:00.0\ndrm-client-id:\t13\ndrm-memory-vram:\t524288 KiB\ndrm-memory-gtt: \t1024 KiB\n"
        "drm-memory-cpu: \t0 KiB\ndrm-engine-gfx:\t1000000000 ns\ndrm-engine-compute:\t5 ns\n");
    EXPECT_EQ(info.driver, "amdgpu");
    EXPECT_EQ(info.pdev, "0000:03:00.0");
    EXPECT_EQ(info.client_id, 13U);  // drm-client-id wins over the pasid
    EXPECT_FALSE(info.legacy_amdgpu);
    ASSERT_EQ(info.engines.size(), 2U);
    EXPECT_EQ(info.engines.at("gfx").busy_ns, 1000000000U);
    EXPECT_EQ(info.engines.at("gfx").capacity, 1U);
    EXPECT_EQ(info.engines.at("compute").busy_ns, 5U);
    EXPECT_EQ(info.memory.at("vram").resident, 524288ULL * 1024);
    EXPECT_EQ(info.memory.at("gtt").resident, 1024ULL * 1024);
    EXPECT_EQ(info.memory.at("cpu").resident, 0U);
    EXPECT_EQ(drm_device_memory_bytes(info), 524288ULL * 1024);  // vram only
}

TEST(DrmFdinfoParser, Amdgpu514PercentageForm) {
    const auto info = parse_drm_fdinfo(
        "pos:\t0\nflags:\t02100002\nmnt_id:\t24\npdev:\t0000:03:00.0\npasid:\t32771\nvram mem:\t524288 kB\n"
        "gtt mem:\t2048 kB\ncpu mem:\t4 kB\ngfx0:\t37.50%\ngfx1:\t40.25%\ncompute0:\t0.00%\ndma0:\t1.25%\n");
    EXPECT_TRUE(info.legacy_amdgpu);
    EXPECT_EQ(info.driver, "amdgpu");
    EXPECT_EQ(info.pdev, "0000:03:00.0");
    EXPECT_EQ(info.client_id, 32771U);                                // the pasid stands in for the client id
    EXPECT_DOUBLE_EQ(*info.engines.at("gfx").legacy_percent, 40.25);  // the busiest ring
    EXPECT_DOUBLE_EQ(*info.engines.at("compute").legacy_percent, 0.0);
    EXPECT_DOUBLE_EQ(*info.engines.at("dma").legacy_percent, 1.25);
    EXPECT_EQ(info.memory.at("vram").resident, 524288ULL * 1024);
    EXPECT_EQ(info.memory.at("gtt").resident, 2048ULL * 1024);
    EXPECT_EQ(drm_device_memory_bytes(info), 524288ULL * 1024);
}

TEST(DrmFdinfoParser, I915CapacityAndLocalRegions) {
    const auto info = parse_drm_fdinfo(
        "drm-driver:\ti915\ndrm-pdev:\t0000:03:00.0\ndrm-client-id:\t7\ndrm-total-system0:\t8192 KiB\n"
        "drm-resident-system0:\t8192 KiB\ndrm-total-local0:\t512 MiB\ndrm-resident-local0:\t512 MiB\n"
        "drm-engine-render:\t9288864723 ns\ndrm-engine-video:\t0 ns\ndrm-engine-capacity-video:\t2\n");
    EXPECT_EQ(info.engines.at("render").busy_ns, 9288864723U);
    EXPECT_EQ(info.engines.at("video").capacity, 2U);
    EXPECT_EQ(info.memory.at("local0").total, 512ULL << 20);
    EXPECT_EQ(drm_device_memory_bytes(info), 512ULL << 20);  // local0, not system0
}

TEST(DrmFdinfoParser, XeCyclesAndTotalCycles) {
    const auto info = parse_drm_fdinfo(
        "drm-driver:\txe\ndrm-client-id:\t3\ndrm-pdev:\t0000:04:00.0\ndrm-resident-gtt:\t192 KiB\n"
        "drm-total-vram0:\t23992 KiB\ndrm-shared-vram0:\t16 MiB\ndrm-resident-vram0:\t23992 KiB\n"
        "drm-cycles-rcs:\t28257900\ndrm-total-cycles-rcs:\t7655183225\ndrm-cycles-ccs:\t0\n"
        "drm-total-cycles-ccs:\t7655183225\ndrm-engine-capacity-ccs:\t4\n");
    EXPECT_EQ(info.engines.at("rcs").cycles, 28257900U);
    EXPECT_EQ(info.engines.at("rcs").total_cycles, 7655183225U);
    EXPECT_FALSE(info.engines.at("rcs").busy_ns);
    EXPECT_EQ(info.engines.at("ccs").capacity, 4U);
    EXPECT_EQ(drm_device_memory_bytes(info), 23992ULL * 1024);
    EXPECT_EQ(info.memory.count("shared"), 0U);  // drm-shared-* is not a region of its own
}

TEST(DrmFdinfoParser, IntegratedGpuCountsSystemRegionsButNotCpu) {
    const auto info = parse_drm_fdinfo(
        "drm-driver:\ti915\ndrm-client-id:\t3\ndrm-resident-system0:\t81920 "
        "KiB\ndrm-resident-stolen-system0:\t1048576\n");
    EXPECT_EQ(drm_device_memory_bytes(info), 81920ULL * 1024 + 1048576);
    const auto cpu_only = parse_drm_fdinfo("drm-driver:\tamdgpu\ndrm-client-id:\t3\ndrm-resident-cpu:\t4 KiB\n");
    EXPECT_FALSE(drm_device_memory_bytes(cpu_only));
}

struct SizeCase {
    const char* text;
    std::optional<std::uint64_t> bytes;
};

class DrmSize : public ::testing::TestWithParam<SizeCase> {};

TEST_P(DrmSize, Parses) { EXPECT_EQ(parse_drm_size(GetParam().text), GetParam().bytes); }

INSTANTIATE_TEST_SUITE_P(Table, DrmSize,
                         ::testing::Values(SizeCase{"0", 0}, SizeCase{"4096", 4096}, SizeCase{"12 B", 12},
                                           SizeCase{"3 KiB", 3072}, SizeCase{"2 MiB", 2ULL << 20},
                                           SizeCase{"7 kB", 7168}, SizeCase{"  5   KiB ", 5120},
                                           SizeCase{"", std::nullopt}, SizeCase{"KiB", std::nullopt},
                                           SizeCase{"1 GiB", std::nullopt}, SizeCase{"-1", std::nullopt},
                                           SizeCase{"1.5 MiB", std::nullopt}, SizeCase{"1 MiB extra", std::nullopt},
                                           SizeCase{"18446744073709551615", 18446744073709551615ULL},
                                           SizeCase{"18446744073709551615 KiB", std::nullopt},
                                           SizeCase{"99999999999999999999", std::nullopt}));

TEST(DrmFdinfoParser, EdgeCases) {
    // Empty input and non-DRM fdinfo (a pipe, a socket): no driver, nothing else.
    for (const char* text : {"", "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1042\n", "garbage without colon"}) {
        const auto info = parse_drm_fdinfo(text);
        EXPECT_FALSE(info.driver) << text;
        EXPECT_TRUE(info.engines.empty()) << text;
        EXPECT_TRUE(info.memory.empty()) << text;
    }
    // No final newline, unknown keys, malformed values dropped one by one, zero capacity refused.
    const auto info = parse_drm_fdinfo(
        "drm-driver:\tamdgpu\ndrm-unknown-key:\t5\ndrm-client-id:\tabc\ndrm-engine-gfx:\t12 ms\n"
        "drm-engine-compute:\t99999999999999999999 ns\ndrm-engine-capacity-dma:\t0\ndrm-engine-dma:\t7 ns\n"
        "drm-memory-vram:\t1 GiB\ndrm-engine-enc:\t42");
    EXPECT_EQ(info.driver, "amdgpu");
    EXPECT_FALSE(info.client_id);
    EXPECT_FALSE(info.engines.count("gfx") && info.engines.at("gfx").busy_ns);
    EXPECT_FALSE(info.engines.count("compute") && info.engines.at("compute").busy_ns);
    EXPECT_EQ(info.engines.at("dma").capacity, 1U);
    EXPECT_EQ(info.engines.at("dma").busy_ns, 7U);
    EXPECT_EQ(info.engines.at("enc").busy_ns, 42U);  // unit-less ns value, no final newline
    EXPECT_TRUE(info.memory.empty());
    // A huge but valid counter.
    EXPECT_EQ(parse_drm_fdinfo("drm-driver: x\ndrm-engine-gfx: 18446744073709551615 ns\n").engines.at("gfx").busy_ns,
              18446744073709551615ULL);
}

}  // namespace
}  // namespace cmon::sources
