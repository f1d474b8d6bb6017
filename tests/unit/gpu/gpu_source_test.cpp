// GpuSource: fills the draft, reports a missing driver as a source error, retries opening at most every
// retry_interval, and keeps other GPUs' data when one is lost.
#include "sources/gpu/gpu_source.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_nvml_scenario.hpp"
#include "sources/gpu/nvml/nvml_backend.hpp"
#include "util/error.hpp"

namespace cmon::sources {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::fake_nvml_path;
using testing::FakeClock;
using testing::FakeNvmlScenario;

std::string collect_error(Source& source, model::Snapshot& draft) {
    try {
        source.collect(draft);
    } catch (const util::Error& error) {
        return error.what();
    }
    return {};
}

TEST(GpuSource, FillsDevicesAndProcessesOfTheDraft) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus",
                     {{{"name", "NVIDIA L4"},
                       {"uuid", "GPU-l4"},
                       {"util", 5},
                       {"processes", {{{"pid", 77}, {"used_memory", 2048}, {"sm_util", 3}}}}}}}});
    FakeClock clock;
    GpuSource source(GpuSourceOptions{fake_nvml_path()}, clock);
    EXPECT_EQ(source.name(), "gpu");

    model::Snapshot draft;
    source.collect(draft);

    ASSERT_EQ(draft.gpus.size(), 1U);
    EXPECT_EQ(draft.gpus[0].name, "NVIDIA L4");
    ASSERT_EQ(draft.gpu_processes.size(), 1U);
    EXPECT_EQ(draft.gpu_processes[0].pid, 77U);
    EXPECT_EQ(draft.gpu_processes[0].gpu_index, 0U);
    EXPECT_EQ(draft.gpu_processes[0].memory_used_bytes, 2048U);
    EXPECT_EQ(draft.gpu_processes[0].sm_percent, 3U);
    EXPECT_FALSE(draft.gpu_processes[0].container_id.has_value());
}

TEST(GpuSource, LostGpuIsNamedInHealthAndTheOthersAreKept) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus",
                     {{{"uuid", "GPU-0"}, {"lost", true}},
                      {{"uuid", "GPU-1"}, {"util", 12}, {"processes", {{{"pid", 5}, {"used_memory", 1}}}}}}}});
    FakeClock clock;
    GpuSource source(GpuSourceOptions{fake_nvml_path()}, clock);
    model::Snapshot draft;
    std::string error = collect_error(source, draft);
    EXPECT_NE(error.find("GPU 0"), std::string::npos) << error;
    EXPECT_EQ(error.find("GPU 1"), std::string::npos) << error;
    EXPECT_NE(error.find("lost"), std::string::npos) << error;
    ASSERT_EQ(draft.gpus.size(), 2U);
    EXPECT_TRUE(draft.gpus[0].lost);
    EXPECT_FALSE(draft.gpus[1].lost);
    EXPECT_EQ(draft.gpus[1].utilization_percent, 12U);
    ASSERT_EQ(draft.gpu_processes.size(), 1U);
    EXPECT_EQ(draft.gpu_processes[0].gpu_index, 1U);
}

TEST(GpuSource, MissingLibraryIsASourceErrorMentioningTheDriver) {
    FakeClock clock;
    GpuSource source(GpuSourceOptions{"/nonexistent/dir/libnvidia-ml.so.1"}, clock);
    model::Snapshot draft;
    std::string error = collect_error(source, draft);
    EXPECT_NE(error.find("gpu: no NVIDIA driver found"), std::string::npos) << error;
    EXPECT_NE(error.find("/nonexistent/dir/libnvidia-ml.so.1"), std::string::npos) << error;
    EXPECT_TRUE(draft.gpus.empty());
}

TEST(GpuSource, RetriesAFailedOpenAtMostEveryRetryInterval) {
    FakeClock clock;
    int attempts = 0;
    bool driver_present = false;
    FakeNvmlScenario scenario;
    scenario.write({{"gpus", {{{"uuid", "GPU-late"}}}}});
    GpuSource source(
        [&]() -> std::unique_ptr<GpuBackend> {
            ++attempts;
            if (!driver_present) throw util::Error("gpu: no NVIDIA driver found (test)");
            return std::make_unique<NvmlBackend>(fake_nvml_path());
        },
        30s, clock);
    model::Snapshot draft;

    EXPECT_EQ(collect_error(source, draft), "gpu: no NVIDIA driver found (test)");
    clock.advance(10s);
    driver_present = true;
    EXPECT_EQ(collect_error(source, draft), "gpu: no NVIDIA driver found (test)") << "cached, not retried";
    EXPECT_EQ(attempts, 1);

    clock.advance(25s);
    EXPECT_EQ(collect_error(source, draft), "");
    EXPECT_EQ(attempts, 2);
    ASSERT_EQ(draft.gpus.size(), 1U);
    EXPECT_EQ(draft.gpus[0].uuid, "GPU-late");

    EXPECT_EQ(collect_error(source, draft), "");
    EXPECT_EQ(attempts, 2) << "an open backend is kept";
}

}  // namespace
}  // namespace cmon::sources
