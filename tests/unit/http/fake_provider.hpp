// A SnapshotProvider stand-in for http/ tests: holds one snapshot, counts touches, publishes on demand
// from any thread and records which snapshot the code under test last read.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sampling/snapshot_provider.hpp"

namespace cmon::http::testing {

inline model::SnapshotPtr make_snapshot(std::uint64_t sequence, std::string hostname = "test-host") {
    auto snapshot = std::make_shared<model::Snapshot>();
    snapshot->sequence = sequence;
    snapshot->host.hostname = std::move(hostname);
    return snapshot;
}

class FakeProvider : public sampling::SnapshotProvider {
public:
    explicit FakeProvider(model::SnapshotPtr initial = nullptr) : snapshot_(std::move(initial)) {}

    model::SnapshotPtr latest() const override {
        std::lock_guard lock(mutex_);
        last_sequence_read_ = snapshot_ ? snapshot_->sequence : 0;
        return snapshot_;
    }
    bool touch() override {
        std::function<void()> hook;
        bool result = false;
        {
            std::lock_guard lock(mutex_);
            ++touches_;
            last_touch_ = std::chrono::steady_clock::now();
            result = touch_result_;
            hook = on_touch_;
        }
        if (hook) hook();
        return result;
    }
    bool paused() const override {
        std::lock_guard lock(mutex_);
        return paused_;
    }
    void add_listener(Listener listener) override {
        std::lock_guard lock(mutex_);
        listeners_.push_back(std::move(listener));
    }

    // Stores the snapshot and calls every listener, like the sampler thread does.
    void publish(model::SnapshotPtr snapshot) {
        std::vector<Listener> listeners;
        {
            std::lock_guard lock(mutex_);
            snapshot_ = snapshot;
            listeners = listeners_;
        }
        for (const auto& listener : listeners) listener(snapshot);
    }

    void set_touch_result(bool value) {
        std::lock_guard lock(mutex_);
        touch_result_ = value;
    }
    void set_on_touch(std::function<void()> hook) {
        std::lock_guard lock(mutex_);
        on_touch_ = std::move(hook);
    }
    void set_paused(bool value) {
        std::lock_guard lock(mutex_);
        paused_ = value;
    }
    int touches() const {
        std::lock_guard lock(mutex_);
        return touches_;
    }
    // How long ago the last touch came (since construction when there was none).
    std::chrono::steady_clock::duration since_last_touch() const {
        std::lock_guard lock(mutex_);
        return std::chrono::steady_clock::now() - last_touch_;
    }
    // Sequence of the snapshot returned by the last latest() call (0: none or null).
    std::uint64_t last_sequence_read() const {
        std::lock_guard lock(mutex_);
        return last_sequence_read_;
    }

private:
    mutable std::mutex mutex_;
    model::SnapshotPtr snapshot_;
    std::vector<Listener> listeners_;
    std::function<void()> on_touch_;
    bool touch_result_ = false;
    bool paused_ = false;
    int touches_ = 0;
    std::chrono::steady_clock::time_point last_touch_ = std::chrono::steady_clock::now();
    mutable std::uint64_t last_sequence_read_ = 0;
};

}  // namespace cmon::http::testing
