// The stand-in NVML's scenario watch (tests/fakes/fake_nvml.cpp, ScenarioWatch): a rewritten scenario is seen
// by the next sample however it was written, and an unchanged one costs one look per sample and no stat()
// (so the stand-in's bookkeeping does not pass for the monitor's cost in benchmarks).
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "fakes/fake_nvml_scenario.hpp"
#include "sources/gpu/nvml/nvml_backend.hpp"

namespace cmon::sources {
namespace {

using nlohmann::json;
using testing::fake_nvml_path;
using testing::FakeNvmlScenario;

json scenario_with_util(unsigned util, unsigned gpus = 1) {
    json root{{"gpus", json::array()}};
    for (unsigned i = 0; i < gpus; ++i) {
        root["gpus"].push_back({{"name", "NVIDIA H100"},
                                {"uuid", "GPU-" + std::to_string(i)},
                                {"memory_total", 85899345920ULL},
                                {"memory_used", 1073741824ULL},
                                {"util", util},
                                {"mig", false}});
    }
    return root;
}

struct Checks {
    unsigned long long checks = 0;
    unsigned long long stats = 0;
    unsigned long long watches = 0;
};

// The stand-in's own counters, from the copy NvmlBackend loaded.
Checks scenario_checks() {
    void* handle = dlopen(fake_nvml_path().c_str(), RTLD_NOW | RTLD_NOLOAD);
    EXPECT_NE(handle, nullptr) << "the stand-in is not loaded";
    Checks checks;
    if (handle == nullptr) return checks;
    using Fn = void (*)(unsigned long long*, unsigned long long*, unsigned long long*);
    auto fn = reinterpret_cast<Fn>(dlsym(handle, "cmonFakeNvmlScenarioChecks"));
    EXPECT_NE(fn, nullptr);
    if (fn != nullptr) fn(&checks.checks, &checks.stats, &checks.watches);
    dlclose(handle);
    return checks;
}

TEST(FakeNvmlScenarioWatch, UnchangedScenarioCostsOneLookPerSampleAndNoStat) {
    FakeNvmlScenario scenario;
    scenario.write(scenario_with_util(42, 8));
    NvmlBackend backend(fake_nvml_path());
    ASSERT_EQ(backend.sample().devices.size(), 8U);
    const Checks before = scenario_checks();
    ASSERT_GE(before.watches, 1U) << "inotify watch not set up";
    for (int i = 0; i < 5; ++i) ASSERT_EQ(backend.sample().devices.size(), 8U);
    const Checks after = scenario_checks();
    EXPECT_EQ(after.stats, before.stats) << "five samples of 8 GPUs stat()ed the unchanged scenario";
    EXPECT_EQ(after.checks - before.checks, 5U) << "one look per sample (at nvmlDeviceGetCount)";
}

TEST(FakeNvmlScenarioWatch, RenamedScenarioIsSeenByTheNextSample) {
    FakeNvmlScenario scenario;
    scenario.write(scenario_with_util(42));
    NvmlBackend backend(fake_nvml_path());
    EXPECT_EQ(backend.sample().devices.at(0).utilization_percent, 42U);
    for (unsigned util : {7U, 8U, 99U}) {
        scenario.write(scenario_with_util(util));  // temp file + rename()
        EXPECT_EQ(backend.sample().devices.at(0).utilization_percent, util);
    }
}

TEST(FakeNvmlScenarioWatch, RewrittenInPlaceIsSeenByTheNextSample) {
    FakeNvmlScenario scenario;
    scenario.write(scenario_with_util(42));
    NvmlBackend backend(fake_nvml_path());
    EXPECT_EQ(backend.sample().devices.at(0).utilization_percent, 42U);
    const char* path = std::getenv("CMON_FAKE_NVML_SCENARIO");
    ASSERT_NE(path, nullptr);
    {
        std::ofstream out(path, std::ios::trunc);  // same inode; the size differs (2 GPUs)
        out << scenario_with_util(5, 2).dump();
    }
    GpuSample after = backend.sample();
    ASSERT_EQ(after.devices.size(), 2U);
    EXPECT_EQ(after.devices[1].utilization_percent, 5U);
}

TEST(FakeNvmlScenarioWatch, ScenarioCreatedAfterTheFirstCallIsSeen) {
    FakeNvmlScenario scenario;  // points the variable at a file that does not exist yet
    scenario.write(scenario_with_util(1));
    NvmlBackend backend(fake_nvml_path());
    const char* path = std::getenv("CMON_FAKE_NVML_SCENARIO");
    ASSERT_NE(path, nullptr);
    std::filesystem::remove(path);
    EXPECT_EQ(backend.sample().devices.size(), 1U) << "a missing file keeps the last scenario";
    scenario.write(scenario_with_util(3, 3));
    EXPECT_EQ(backend.sample().devices.size(), 3U);
}

TEST(FakeNvmlScenarioWatch, AnotherScenarioPathIsSeenByTheNextSample) {
    FakeNvmlScenario first;
    first.write(scenario_with_util(10));
    NvmlBackend backend(fake_nvml_path());
    EXPECT_EQ(backend.sample().devices.size(), 1U);
    // A new path in another directory, which the first watch does not cover.
    const std::filesystem::path other =
        std::filesystem::temp_directory_path() / ("cmon-fake-nvml-other-" + std::to_string(::getpid()));
    std::filesystem::create_directories(other);
    const char* tmpdir = std::getenv("TMPDIR");
    const std::string saved = tmpdir != nullptr ? tmpdir : "";
    ::setenv("TMPDIR", other.c_str(), 1);
    {
        FakeNvmlScenario second;  // setenv to a new path
        if (saved.empty())
            ::unsetenv("TMPDIR");
        else
            ::setenv("TMPDIR", saved.c_str(), 1);
        second.write(scenario_with_util(20, 4));
        GpuSample after = backend.sample();
        ASSERT_EQ(after.devices.size(), 4U);
        EXPECT_EQ(after.devices[0].utilization_percent, 20U);
        second.write(scenario_with_util(30, 4));
        EXPECT_EQ(backend.sample().devices.at(0).utilization_percent, 30U) << "the new directory is watched";
    }
    std::filesystem::remove_all(other);
}

}  // namespace
}  // namespace cmon::sources
