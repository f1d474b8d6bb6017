// The process-entry stride chosen from driver version and symbols, the entry decoder, the MIG profile parser
// and the SM % rules, without any library (pure functions and ProcessUtilizationTracker).
#include "sources/gpu/nvml/nvml_process_layout.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

#include "sources/gpu/nvml/nvml_device_reader.hpp"
#include "sources/gpu/nvml/process_utilization_tracker.hpp"

namespace cmon::sources {
namespace {

TEST(NvmlDriverVersion, ParsesThreeAndTwoPartVersions) {
    EXPECT_EQ(parse_nvml_driver_version("535.54.03"), (NvmlDriverVersion{535, 54, 3}));
    EXPECT_EQ(parse_nvml_driver_version("535.98"), (NvmlDriverVersion{535, 98, 0}));
    EXPECT_EQ(parse_nvml_driver_version("550.54.15"), (NvmlDriverVersion{550, 54, 15}));
    EXPECT_FALSE(parse_nvml_driver_version(""));
    EXPECT_FALSE(parse_nvml_driver_version("535"));
    EXPECT_FALSE(parse_nvml_driver_version("535."));
    EXPECT_FALSE(parse_nvml_driver_version("535.54.03-beta"));
    EXPECT_FALSE(parse_nvml_driver_version("r535"));
}

NvmlProcessLayout v3(std::optional<NvmlDriverVersion> version, bool conf_compute = true, bool detail_list = false) {
    return choose_process_layout({NvmlProcessCall::kV3, conf_compute, detail_list}, version);
}

TEST(NvmlProcessLayout, R535EarlyV3WritesThirtyTwoByteEntries) {
    EXPECT_EQ(v3(NvmlDriverVersion{535, 43, 2}).entry_size, 32U);
    EXPECT_EQ(v3(NvmlDriverVersion{535, 54, 3}).entry_size, 32U);
    EXPECT_EQ(v3(NvmlDriverVersion{535, 86, 10}).entry_size, 32U);
    EXPECT_EQ(v3(NvmlDriverVersion{535, 43, 1}).entry_size, 24U);
    EXPECT_EQ(v3(NvmlDriverVersion{535, 104, 5}).entry_size, 24U);
    EXPECT_EQ(v3(NvmlDriverVersion{535, 129, 3}).entry_size, 24U);
    EXPECT_EQ(v3(NvmlDriverVersion{550, 54, 15}, true, true).entry_size, 24U);
    EXPECT_EQ(v3(NvmlDriverVersion{530, 30, 2}, false).entry_size, 24U);
}

TEST(NvmlProcessLayout, WithoutAVersionTheSymbolsDecideAsNvitopDoes) {
    EXPECT_EQ(v3(std::nullopt, true, false).entry_size, 32U);
    EXPECT_EQ(v3(std::nullopt, true, true).entry_size, 24U);
    EXPECT_EQ(v3(std::nullopt, false, false).entry_size, 24U);
}

TEST(NvmlProcessLayout, OlderCallsHaveTheirFixedStructs) {
    NvmlDriverVersion r535_54{535, 54, 3};
    EXPECT_EQ(choose_process_layout({NvmlProcessCall::kV2, true, false}, r535_54).entry_size, 24U);
    EXPECT_EQ(choose_process_layout({NvmlProcessCall::kPlain, false, false}, std::nullopt).entry_size, 16U);
    EXPECT_EQ(v3(r535_54).describe(), "nvmlDevice*RunningProcesses_v3, 32-byte entries");
}

TEST(NvmlProcessEntries, PidZeroAndAllOnesAreNeverProcesses) {
    struct Entry {
        unsigned pid;
        unsigned long long memory;
        unsigned gi, ci;
    };
    std::vector<Entry> entries = {{0, 5, ~0U, ~0U}, {77, 100, 1, 0}, {0xFFFFFFFFU, 9, ~0U, ~0U}, {78, 200, ~0U, ~0U}};
    unsigned rejected = 0;
    auto decoded =
        decode_process_entries(reinterpret_cast<const std::byte*>(entries.data()), 4, sizeof(Entry), rejected);
    EXPECT_EQ(rejected, 2U);
    ASSERT_EQ(decoded.size(), 2U);
    EXPECT_EQ(decoded[0].pid, 77U);
    EXPECT_EQ(decoded[0].used_memory, 100U);
    EXPECT_EQ(decoded[0].gpu_instance_id, 1U);
    EXPECT_EQ(decoded[0].compute_instance_id, 0U);
    EXPECT_EQ(decoded[1].pid, 78U);
    EXPECT_FALSE(decoded[1].gpu_instance_id) << "0xFFFFFFFF means no MIG instance";
}

TEST(MigProfile, ComesFromTheMigDevicesName) {
    EXPECT_EQ(mig_profile_from_name("NVIDIA A100-SXM4-40GB MIG 1g.5gb"), "1g.5gb");
    EXPECT_EQ(mig_profile_from_name("NVIDIA H100 80GB HBM3 MIG 3g.40gb"), "3g.40gb");
    EXPECT_EQ(mig_profile_from_name("NVIDIA H200 MIG 1g.18gb+me"), "1g.18gb+me");
    EXPECT_EQ(mig_profile_from_name("NVIDIA H100 80GB HBM3"), "");
}

NvmlProcessUtilizationSample sample(unsigned pid, unsigned long long t, unsigned sm) {
    return NvmlProcessUtilizationSample{pid, t, sm, 0, 0, 0};
}

TEST(ProcessUtilizationTracker, PassesTheDriversNewestTimestampAndIgnoresOlderSamples) {
    ProcessUtilizationTracker tracker;
    std::vector<std::string> notes;
    std::vector<NvmlProcessUtilizationSample> first = {sample(1, 1000, 40), sample(1, 2000, 60)};
    auto readings = tracker.update(kNvmlSuccess, first, {1}, false, notes);
    EXPECT_EQ(readings[1].percent, 60U) << "the newest sample of a pid wins";
    EXPECT_TRUE(readings[1].fresh);
    EXPECT_EQ(tracker.last_seen_timestamp_us(), 2000U);

    std::vector<NvmlProcessUtilizationSample> stale = {sample(1, 1500, 99)};
    readings = tracker.update(kNvmlSuccess, stale, {1}, false, notes);
    EXPECT_EQ(readings[1].percent, 60U) << "a sample older than the last seen one is ignored";
    EXPECT_FALSE(readings[1].fresh);
    EXPECT_EQ(tracker.last_seen_timestamp_us(), 2000U);
}

TEST(ProcessUtilizationTracker, NotFoundHoldsTheLastValueForAFewTicksOnABusyDevice) {
    ProcessUtilizationTracker tracker;
    std::vector<std::string> notes;
    std::vector<NvmlProcessUtilizationSample> first = {sample(7, 10, 80)};
    tracker.update(kNvmlSuccess, first, {7}, false, notes);
    for (int tick = 0; tick < ProcessUtilizationTracker::kHoldTicks; ++tick) {
        auto readings = tracker.update(kNvmlErrorNotFound, {}, {7}, false, notes);
        EXPECT_EQ(readings[7].percent, 80U) << tick;
        EXPECT_FALSE(readings[7].fresh);
    }
    auto readings = tracker.update(kNvmlErrorNotFound, {}, {7}, false, notes);
    EXPECT_EQ(readings[7].percent, 0U);
    EXPECT_FALSE(readings[7].fresh) << "an old value running out is no proof of idleness";
}

TEST(ProcessUtilizationTracker, NotFoundOnAnIdleDeviceIsAFreshZero) {
    ProcessUtilizationTracker tracker;
    std::vector<std::string> notes;
    auto readings = tracker.update(kNvmlErrorNotFound, {}, {7, 8}, true, notes);
    EXPECT_EQ(readings[7].percent, 0U);
    EXPECT_TRUE(readings[7].fresh);
    EXPECT_TRUE(notes.empty());
}

TEST(ProcessUtilizationTracker, ValuesAboveHundredAreClampedAndNoted) {
    ProcessUtilizationTracker tracker;
    std::vector<std::string> notes;
    std::vector<NvmlProcessUtilizationSample> samples = {sample(3, 5, 130)};
    auto readings = tracker.update(kNvmlSuccess, samples, {3}, false, notes);
    EXPECT_EQ(readings[3].percent, 100U);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_NE(notes[0].find("130"), std::string::npos) << notes[0];
}

TEST(ProcessUtilizationTracker, AnErrorGivesNoValueAtAll) {
    ProcessUtilizationTracker tracker;
    std::vector<std::string> notes;
    auto readings = tracker.update(kNvmlErrorNoPermission, {}, {3}, true, notes);
    EXPECT_FALSE(readings[3].percent);
    EXPECT_FALSE(readings[3].fresh);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0], "process utilization: NO_PERMISSION");
}

}  // namespace
}  // namespace cmon::sources
