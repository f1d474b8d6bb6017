// Issue 13 in the sampler: a source's warnings make its health "degraded" (still ok), a failure clears them,
// and a pause tells every source to let go of what it holds (NVML).
#include <atomic>
#include <gtest/gtest.h>
#include <thread>

#include "fakes/fake_clock.hpp"
#include "sampling/sampler.hpp"
#include "util/error.hpp"

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

class WarningSource final : public sources::Source {
public:
    std::string_view name() const override { return "gpu"; }
    void collect(model::Snapshot&) override {
        if (failing) throw util::Error("gpu: GPU 1 lost");
    }
    std::vector<std::string> health_warnings() const override { return warnings; }
    void pause() override { ++pauses; }
    std::vector<std::string> warnings;
    bool failing = false;
    std::atomic<int> pauses{0};
};

TEST(SamplerDegraded, WarningsMakeASourceDegradedButOk) {
    testing::FakeClock clock;
    auto owned = std::make_unique<WarningSource>();
    WarningSource* source = owned.get();
    std::vector<std::unique_ptr<sources::Source>> list;
    list.push_back(std::move(owned));
    Sampler sampler(SamplerOptions{}, std::move(list), clock);

    EXPECT_FALSE(sampler.sample()->sources[0].degraded);
    source->warnings = {"GPU 0 (GPU-x): temperature: NOT_SUPPORTED"};
    auto degraded = sampler.sample();
    EXPECT_TRUE(degraded->sources[0].ok);
    EXPECT_TRUE(degraded->sources[0].degraded);
    EXPECT_EQ(degraded->sources[0].warnings, source->warnings);
    source->failing = true;
    auto failed = sampler.sample();
    EXPECT_FALSE(failed->sources[0].ok);
    EXPECT_FALSE(failed->sources[0].degraded) << "failed is not degraded";
    EXPECT_TRUE(failed->sources[0].warnings.empty());
}

TEST(SamplerDegraded, APauseTellsTheSourcesToLetGo) {
    util::RealClock clock;
    auto owned = std::make_unique<WarningSource>();
    WarningSource* source = owned.get();
    std::vector<std::unique_ptr<sources::Source>> list;
    list.push_back(std::move(owned));
    Sampler sampler(SamplerOptions{50ms, 300ms, 20ms}, std::move(list), clock);
    sampler.start();
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (source->pauses.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(source->pauses.load(), 1) << "pause() once when collection paused";
    EXPECT_TRUE(sampler.paused());
    sampler.stop();
}

}  // namespace
}  // namespace cmon::sampling
