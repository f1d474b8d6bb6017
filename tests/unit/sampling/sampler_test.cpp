#include "sampling/sampler.hpp"

#include <atomic>
#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "util/error.hpp"

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

// Adds 50 busy ticks of 100 per collect: 50 % CPU.
class CountingSource final : public sources::Source {
public:
    std::string_view name() const override { return "host"; }
    void collect(model::Snapshot& draft) override {
        ++calls;
        draft.host.hostname = "test-host";
        draft.host.cpu_times = {50 * calls, 100 * calls};
    }
    std::uint64_t calls = 0;
};

class FlakySource final : public sources::Source {
public:
    std::string_view name() const override { return "docker"; }
    void collect(model::Snapshot& draft) override {
        if (failing) throw util::Error("docker: GET /containers/json: connection refused");
        draft.containers.emplace_back().id = "abc";
    }
    bool failing = false;
};

struct Fixture {
    testing::FakeClock clock;
    CountingSource* host = nullptr;
    FlakySource* docker = nullptr;
    std::unique_ptr<Sampler> sampler;

    explicit Fixture(SamplerOptions options = {}) {
        std::vector<std::unique_ptr<sources::Source>> sources;
        auto h = std::make_unique<CountingSource>();
        auto d = std::make_unique<FlakySource>();
        host = h.get();
        docker = d.get();
        sources.push_back(std::move(h));
        sources.push_back(std::move(d));
        sampler = std::make_unique<Sampler>(options, std::move(sources), clock);
    }
};

TEST(Sampler, FirstSampleHasNoRateSecondHas) {
    Fixture f;
    EXPECT_EQ(f.sampler->latest(), nullptr);
    auto first = f.sampler->sample();
    EXPECT_EQ(first->sequence, 1u);
    EXPECT_FALSE(first->host.cpu_busy_percent);
    f.clock.advance(1s);
    auto second = f.sampler->sample();
    EXPECT_EQ(second->sequence, 2u);
    EXPECT_DOUBLE_EQ(second->host.cpu_busy_percent.value(), 50.0);
    EXPECT_EQ(f.sampler->latest(), second);
}

TEST(Sampler, PrimeGivesTheFirstPublishedSampleItsRates) {
    Fixture f;
    f.sampler->prime();
    f.clock.advance(250ms);
    auto published = f.sampler->sample();
    EXPECT_EQ(published->sequence, 1u);
    EXPECT_TRUE(published->host.cpu_busy_percent);
}

TEST(Sampler, OneFailingSourceDoesNotStopTheOthers) {
    Fixture f;
    f.docker->failing = true;
    auto snapshot = f.sampler->sample();
    EXPECT_EQ(snapshot->host.hostname, "test-host");
    ASSERT_EQ(snapshot->sources.size(), 2u);
    EXPECT_TRUE(snapshot->sources[0].ok);
    EXPECT_FALSE(snapshot->sources[1].ok);
    EXPECT_EQ(snapshot->sources[1].name, "docker");
    EXPECT_EQ(snapshot->sources[1].error, "docker: GET /containers/json: connection refused");
    EXPECT_FALSE(snapshot->sources[1].last_success);

    f.docker->failing = false;
    f.clock.advance(1s);
    snapshot = f.sampler->sample();
    EXPECT_TRUE(snapshot->sources[1].ok);
    EXPECT_TRUE(snapshot->sources[1].error.empty());
    EXPECT_EQ(snapshot->sources[1].last_success, snapshot->time);
    EXPECT_EQ(snapshot->containers.size(), 1u);
}

TEST(Sampler, HealthKeepsLastSuccessWhileFailing) {
    Fixture f;
    auto good = f.sampler->sample();
    f.docker->failing = true;
    f.clock.advance(1s);
    auto bad = f.sampler->sample();
    EXPECT_FALSE(bad->sources[1].ok);
    EXPECT_EQ(bad->sources[1].last_success, good->time);
    EXPECT_TRUE(bad->containers.empty()) << "no stale rows from the last good sample";
}

TEST(Sampler, IdleExpiresAfterIdlePauseAndTouchResets) {
    Fixture f(SamplerOptions{1s, 30s, 250ms});
    EXPECT_FALSE(f.sampler->idle_expired());
    f.clock.advance(29s);
    EXPECT_FALSE(f.sampler->idle_expired());
    f.clock.advance(1s);
    EXPECT_TRUE(f.sampler->idle_expired());
    f.sampler->touch();
    EXPECT_FALSE(f.sampler->idle_expired());
}

TEST(Sampler, ZeroIdlePauseNeverPauses) {
    Fixture f(SamplerOptions{1s, 0s, 250ms});
    f.clock.advance(std::chrono::hours(24));
    EXPECT_FALSE(f.sampler->idle_expired());
}

TEST(Sampler, TouchSaysFreshDataIsComingOnlyWhenThereIsNone) {
    Fixture f;
    EXPECT_TRUE(f.sampler->touch()) << "nothing published yet";
    f.sampler->sample();
    EXPECT_FALSE(f.sampler->touch());
}

TEST(Sampler, ListenersHearEveryPublish) {
    Fixture f;
    std::vector<std::uint64_t> heard;
    f.sampler->add_listener([&](const model::SnapshotPtr& s) { heard.push_back(s->sequence); });
    f.sampler->sample();
    f.sampler->sample();
    EXPECT_EQ(heard, (std::vector<std::uint64_t>{1, 2}));
}

// The thread with a real clock: pauses when idle, and a touch brings a snapshot taken after the wake-up.
TEST(SamplerThread, PausesWhenIdleAndResumesOnTouch) {
    util::RealClock clock;
    std::vector<std::unique_ptr<sources::Source>> sources;
    sources.push_back(std::make_unique<CountingSource>());
    Sampler sampler(SamplerOptions{50ms, 300ms, 20ms}, std::move(sources), clock);
    std::atomic<std::uint64_t> published{0};
    sampler.add_listener([&](const model::SnapshotPtr& s) { published = s->sequence; });
    sampler.start();

    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!sampler.paused() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(sampler.paused()) << "no pause within 5 s of idleness";
    auto at_pause = published.load();
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(published.load(), at_pause) << "no samples while paused";

    auto touched_at = clock.system_now();
    EXPECT_TRUE(sampler.touch());
    EXPECT_FALSE(sampler.paused());
    // A bounded wait for the condition, not a timing assertion: the next snapshot must be one taken after the wake-up.
    auto deadline_after_touch = std::chrono::steady_clock::now() + 10s;
    while (published.load() == at_pause && std::chrono::steady_clock::now() < deadline_after_touch)
        std::this_thread::sleep_for(1ms);
    ASSERT_GT(published.load(), at_pause) << "no sample after the wake-up";
    EXPECT_GE(sampler.latest()->time, touched_at)
        << "the snapshot after a wake-up is fresh, not the one from before the pause";
    EXPECT_TRUE(sampler.latest()->host.cpu_busy_percent) << "the first sample after a pause has rates";
    sampler.stop();
}

}  // namespace
}  // namespace cmon::sampling
