// The tick loop: runs every source once per interval on its own thread, isolates their failures into
// per-source health, derives rates from the previous sample and publishes one immutable Snapshot.
// Pauses when no client asked for anything for idle_pause, and resumes on the next touch().
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "attribution/stage.hpp"
#include "sampling/snapshot_provider.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"
#include "util/defaults.hpp"

namespace cmon::sampling {

struct SamplerOptions {
    std::chrono::milliseconds interval = defaults::kInterval;
    std::chrono::milliseconds idle_pause = defaults::kIdlePause;  // zero: never pause
    // After a pause (and at start) one sample is taken only to have counters to derive rates from; the
    // first published sample follows this much later, so a waking request waits about this long.
    std::chrono::milliseconds resume_prime{250};
};

class Sampler final : public SnapshotProvider {
public:
    Sampler(SamplerOptions options, std::vector<std::unique_ptr<sources::Source>> sources, const util::Clock& clock);
    // With stages that run, in order, on each collected draft after every source (attribution).
    Sampler(SamplerOptions options, std::vector<std::unique_ptr<sources::Source>> sources,
            std::vector<std::unique_ptr<attribution::Stage>> stages, const util::Clock& clock);
    ~Sampler() override;
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;

    void start();  // starts the sampler thread
    void stop();   // stops and joins it; idempotent

    model::SnapshotPtr latest() const override;
    bool touch() override;
    bool paused() const override;
    void add_listener(Listener listener) override;

    // The deterministic steps the thread is made of, public so tests drive them with a fake clock.
    void prime();                  // collect counters only; the next sample() derives rates from them
    model::SnapshotPtr sample();   // collect, derive rates, publish
    bool idle_expired() const;     // no client activity for idle_pause

private:
    std::shared_ptr<model::Snapshot> collect();
    // Health slot `index`: the sources' first, then the stages'.
    void record_health(model::Snapshot& draft, std::size_t index, const std::string& error);
    std::string health_note(std::size_t index) const;
    void publish(const model::SnapshotPtr& snapshot);
    void run();
    bool sleep_until(std::chrono::steady_clock::time_point deadline);  // false when stopping
    bool pause_while_idle();  // true when it paused (and has now been woken)
    bool idle_expired_locked() const;

    const SamplerOptions options_;
    std::vector<std::unique_ptr<sources::Source>> sources_;
    std::vector<std::unique_ptr<attribution::Stage>> stages_;
    const util::Clock& clock_;

    // Sampler-thread state.
    std::shared_ptr<const model::Snapshot> previous_;
    std::vector<model::SourceHealth> health_;
    std::uint64_t sequence_ = 0;

    // Shared state.
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    model::SnapshotPtr latest_;
    std::vector<Listener> listeners_;
    std::chrono::steady_clock::time_point last_activity_;
    bool paused_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cmon::sampling
