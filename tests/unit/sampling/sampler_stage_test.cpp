// Stages run on the collected draft after every source, whichever order the sources were given in, and
// their failures become their own health entries (as attribution's did when it was a source).
#include <gtest/gtest.h>
#include <memory>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "sampling/sampler.hpp"
#include "util/error.hpp"

namespace cmon::sampling {
namespace {

class ContainersSource final : public sources::Source {
public:
    std::string_view name() const override { return "docker"; }
    void collect(model::Snapshot& draft) override { draft.containers.emplace_back().id = "abc"; }
};

class GpuProcessSource final : public sources::Source {
public:
    std::string_view name() const override { return "gpu"; }
    void collect(model::Snapshot& draft) override { draft.gpu_processes.emplace_back().pid = 4242; }
};

// Gives every GPU process the first container it finds: it sees only what is in the draft when it runs.
class AttributingStage final : public attribution::Stage {
public:
    std::string_view name() const override { return "attribution"; }
    void run(model::Snapshot& draft) override {
        if (failing) throw util::Error("attribution: broken on purpose");
        for (auto& process : draft.gpu_processes) {
            if (!draft.containers.empty()) process.container_id = draft.containers.front().id;
        }
    }
    std::string health_note() const override { return "pids from /proc"; }
    bool failing = false;
};

struct Fixture {
    testing::FakeClock clock;
    AttributingStage* stage = nullptr;
    std::unique_ptr<Sampler> sampler;

    Fixture() {
        // The GPU source first and the docker source last: a stage must still see both.
        std::vector<std::unique_ptr<sources::Source>> sources;
        sources.push_back(std::make_unique<GpuProcessSource>());
        sources.push_back(std::make_unique<ContainersSource>());
        std::vector<std::unique_ptr<attribution::Stage>> stages;
        auto s = std::make_unique<AttributingStage>();
        stage = s.get();
        stages.push_back(std::move(s));
        sampler = std::make_unique<Sampler>(SamplerOptions{}, std::move(sources), std::move(stages), clock);
    }
};

const model::SourceHealth* health_of(const model::Snapshot& snapshot, std::string_view name) {
    for (const auto& health : snapshot.sources) {
        if (health.name == name) return &health;
    }
    return nullptr;
}

TEST(SamplerStage, RunsAfterEverySourceWhateverTheirOrder) {
    Fixture f;
    auto snapshot = f.sampler->sample();
    ASSERT_EQ(snapshot->gpu_processes.size(), 1u);
    EXPECT_EQ(snapshot->gpu_processes[0].container_id, "abc");
    const auto* health = health_of(*snapshot, "attribution");
    ASSERT_NE(health, nullptr);
    EXPECT_TRUE(health->ok);
    EXPECT_EQ(health->note, "pids from /proc");
    ASSERT_EQ(snapshot->sources.size(), 3u);
    EXPECT_EQ(snapshot->sources.back().name, "attribution");
}

TEST(SamplerStage, AFailingStageIsItsOwnHealthAndKeepsTheSources) {
    Fixture f;
    f.stage->failing = true;
    auto snapshot = f.sampler->sample();
    const auto* health = health_of(*snapshot, "attribution");
    ASSERT_NE(health, nullptr);
    EXPECT_FALSE(health->ok);
    EXPECT_EQ(health->error, "attribution: broken on purpose");
    EXPECT_TRUE(health->note.empty());
    EXPECT_TRUE(health_of(*snapshot, "docker")->ok);
    EXPECT_EQ(snapshot->containers.size(), 1u);
    EXPECT_FALSE(snapshot->gpu_processes[0].container_id);

    f.stage->failing = false;
    f.clock.advance(std::chrono::seconds(1));
    snapshot = f.sampler->sample();
    EXPECT_TRUE(health_of(*snapshot, "attribution")->ok);
    EXPECT_EQ(snapshot->gpu_processes[0].container_id, "abc");
}

}  // namespace
}  // namespace cmon::sampling
