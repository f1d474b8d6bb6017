// GpuSource (issue 13): lets go of NVML while collection is paused (--nvml-release), and turns refused fields
// and hidden processes into health warnings (degraded, still ok).
#include <algorithm>
#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "fakes/fake_nvml_scenario.hpp"
#include "sources/gpu/gpu_source.hpp"
#include "sources/gpu/nvml/nvml_backend.hpp"

namespace cmon::sources {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::fake_nvml_path;
using testing::FakeClock;
using testing::FakeNvmlScenario;

// Counts how often the backend was opened; NvmlBackend on the stand-in underneath.
struct CountingFactory {
    int opened = 0;
    GpuSource::BackendFactory factory() {
        return [this] {
            ++opened;
            return std::make_unique<NvmlBackend>(fake_nvml_path());
        };
    }
};

json one_gpu() { return {{"gpus", {{{"uuid", "GPU-r"}, {"util", 1}, {"memory_total", 1 << 30}}}}}; }

TEST(GpuSourceRelease, PausedReleasesNvmlWhilePausedAndReopensAtOnce) {
    FakeNvmlScenario scenario;
    scenario.write(one_gpu());
    FakeClock clock;
    CountingFactory counter;
    GpuSource source(counter.factory(), 30s, clock, GpuRelease::paused);
    model::Snapshot draft;
    source.collect(draft);
    EXPECT_TRUE(source.backend_open());
    source.pause();
    EXPECT_FALSE(source.backend_open()) << "NVML must be closed while nobody looks";
    model::Snapshot next;
    source.collect(next);  // no retry-interval wait: a release is not a failure
    EXPECT_TRUE(source.backend_open());
    EXPECT_EQ(counter.opened, 2);
    ASSERT_EQ(next.gpus.size(), 1U);
}

TEST(GpuSourceRelease, NeverKeepsItOpenAndAlwaysClosesAfterEachSample) {
    FakeNvmlScenario scenario;
    scenario.write(one_gpu());
    FakeClock clock;
    CountingFactory never_counter;
    GpuSource never(never_counter.factory(), 30s, clock, GpuRelease::never);
    model::Snapshot draft;
    never.collect(draft);
    never.pause();
    EXPECT_TRUE(never.backend_open());

    CountingFactory always_counter;
    GpuSource always(always_counter.factory(), 30s, clock, GpuRelease::always);
    for (int tick = 0; tick < 3; ++tick) {
        model::Snapshot d;
        always.collect(d);
        EXPECT_FALSE(always.backend_open());
        EXPECT_EQ(d.gpus.size(), 1U);
    }
    EXPECT_EQ(always_counter.opened, 3);
    EXPECT_NE(always.health_note().find("released after each sample"), std::string::npos) << always.health_note();
}

TEST(GpuSourceWarnings, RefusedFieldsAndHiddenProcessesAreWarningsWithTheFix) {
    FakeNvmlScenario scenario;
    scenario.write({{"gpus",
                     {{{"uuid", "GPU-w"},
                       {"util", 30},
                       {"memory_total", 80ULL << 30},
                       {"memory_used", 30ULL << 30},
                       {"errors", {{"nvmlDeviceGetPowerUsage", 4}}}}}}});
    FakeClock clock;
    GpuSource source(GpuSourceOptions{fake_nvml_path()}, clock);
    model::Snapshot draft;
    source.collect(draft);
    std::vector<std::string> warnings = source.health_warnings();
    auto has = [&](const std::string& text) {
        return std::any_of(warnings.begin(), warnings.end(),
                           [&](const std::string& w) { return w.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has("GPU 0 (GPU-w): power: NO_PERMISSION")) << ::testing::PrintToString(warnings);
    EXPECT_TRUE(has("30.0 GiB in use but the driver lists no process: run with --pid=host to see GPU processes"))
        << ::testing::PrintToString(warnings);
    EXPECT_NE(source.health_note().find("NVIDIA driver 550.54.15"), std::string::npos) << source.health_note();
}

}  // namespace
}  // namespace cmon::sources
