#include "sampling/sampler.hpp"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <exception>

#include "sampling/rate_deriver.hpp"

namespace cmon::sampling {

Sampler::Sampler(SamplerOptions options, std::vector<std::unique_ptr<sources::Source>> sources,
                 const util::Clock& clock)
    : Sampler(options, std::move(sources), {}, clock) {}

Sampler::Sampler(SamplerOptions options, std::vector<std::unique_ptr<sources::Source>> sources,
                 std::vector<std::unique_ptr<attribution::Stage>> stages, const util::Clock& clock)
    : options_(options),
      sources_(std::move(sources)),
      stages_(std::move(stages)),
      clock_(clock),
      last_activity_(clock.steady_now()) {
    health_.resize(sources_.size() + stages_.size());
    for (std::size_t i = 0; i < sources_.size(); ++i) health_[i].name = std::string(sources_[i]->name());
    for (std::size_t i = 0; i < stages_.size(); ++i)
        health_[sources_.size() + i].name = std::string(stages_[i]->name());
}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    last_activity_ = clock_.steady_now();
    thread_ = std::thread([this] {
        // Its own name in top -H, /proc/<pid>/task/*/comm and the benchmark's split per thread.
        ::pthread_setname_np(::pthread_self(), "cmon-sampler");
        run();
    });
}

void Sampler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

model::SnapshotPtr Sampler::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

bool Sampler::touch() {
    bool fresh_coming = false;
    {
        std::lock_guard lock(mutex_);
        last_activity_ = clock_.steady_now();
        fresh_coming = paused_ || !latest_;
        paused_ = false;
    }
    if (fresh_coming) wake_.notify_all();
    return fresh_coming;
}

bool Sampler::paused() const {
    std::lock_guard lock(mutex_);
    return paused_;
}

void Sampler::add_listener(Listener listener) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

bool Sampler::idle_expired() const {
    std::lock_guard lock(mutex_);
    return idle_expired_locked();
}

bool Sampler::idle_expired_locked() const {
    return options_.idle_pause.count() > 0 && clock_.steady_now() - last_activity_ >= options_.idle_pause;
}

void Sampler::record_health(model::Snapshot& draft, std::size_t index, const std::string& error) {
    model::SourceHealth& health = health_[index];
    bool was_ok = health.ok;
    if (error.empty()) {
        if (!health.ok) spdlog::info("{}: working again", health.name);
        health.ok = true;
        health.error.clear();
        health.note = health_note(index);
        if (index < sources_.size()) health.warnings = sources_[index]->health_warnings();
        health.degraded = !health.warnings.empty();
        health.last_success = draft.time;
    } else {
        // Log once per change of state (or of message), not once per tick.
        if (was_ok || health.error != error) spdlog::warn("{}", error);
        health.ok = false;
        health.error = error;
        health.note.clear();
        health.warnings.clear();
        health.degraded = false;
    }
    draft.sources.push_back(health);
}

std::string Sampler::health_note(std::size_t index) const {
    return index < sources_.size() ? sources_[index]->health_note() : stages_[index - sources_.size()]->health_note();
}

std::shared_ptr<model::Snapshot> Sampler::collect() {
    auto draft = std::make_shared<model::Snapshot>();
    draft->time = clock_.system_now();
    draft->monotonic = clock_.steady_now();
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        std::string error;
        try {
            sources_[i]->collect(*draft);
        } catch (const std::exception& e) {
            error = e.what();
            if (error.empty()) error = health_[i].name + ": failed";
        }
        record_health(*draft, i, error);
    }
    for (std::size_t i = 0; i < stages_.size(); ++i) {
        std::string error;
        try {
            stages_[i]->run(*draft);
        } catch (const std::exception& e) {
            error = e.what();
            if (error.empty()) error = health_[sources_.size() + i].name + ": failed";
        }
        record_health(*draft, sources_.size() + i, error);
    }
    return draft;
}

void Sampler::prime() { previous_ = collect(); }

model::SnapshotPtr Sampler::sample() {
    auto draft = collect();
    if (previous_) derive_rates(*previous_, *draft);
    draft->sequence = ++sequence_;
    model::SnapshotPtr published = std::move(draft);
    previous_ = published;
    publish(published);
    return published;
}

void Sampler::publish(const model::SnapshotPtr& snapshot) {
    std::vector<Listener> listeners;
    {
        std::lock_guard lock(mutex_);
        latest_ = snapshot;
        listeners = listeners_;
    }
    for (const auto& listener : listeners) listener(snapshot);
}

bool Sampler::sleep_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    // The condition variable waits on the real steady clock; the injected clock only decides "idle".
    auto real_deadline = std::chrono::steady_clock::now() + (deadline - clock_.steady_now());
    wake_.wait_until(lock, real_deadline, [this] { return stopping_; });
    return !stopping_;
}

bool Sampler::pause_while_idle() {
    std::unique_lock lock(mutex_);
    // Checked under the lock that touch() takes, so a request can never slip in unseen between the check
    // and the pause.
    if (!idle_expired_locked()) return false;
    paused_ = true;
    spdlog::info("no client for {} s: collection paused until the next request",
                 std::chrono::duration_cast<std::chrono::seconds>(options_.idle_pause).count());
    // Outside the lock: letting go of a driver can take a while and touch() must not wait for it. A request
    // arriving meanwhile clears paused_, and the wait below then returns at once.
    lock.unlock();
    for (auto& source : sources_) source->pause();
    lock.lock();
    wake_.wait(lock, [this] { return stopping_ || !paused_; });
    if (!stopping_) spdlog::info("client activity: collection resumed");
    return true;
}

void Sampler::run() {
    auto prime_delay = std::min(options_.resume_prime, options_.interval);
    prime();
    if (!sleep_until(clock_.steady_now() + prime_delay)) return;
    sample();
    auto next = clock_.steady_now() + options_.interval;
    while (sleep_until(next)) {
        if (pause_while_idle()) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            // Counters from before the pause would average over the whole pause: take fresh ones.
            prime();
            if (!sleep_until(clock_.steady_now() + prime_delay)) return;
            sample();
            next = clock_.steady_now() + options_.interval;
            continue;
        }
        sample();
        next += options_.interval;
        auto now = clock_.steady_now();
        if (next < now) next = now + options_.interval;  // overran: skip missed ticks, don't burst
    }
}

}  // namespace cmon::sampling
