// MemoryTrimmer: a periodic malloc_trim after connection bursts (see the header for why).
#include "app/memory_trimmer.hpp"

#include <malloc.h>

namespace cmon::app {

MemoryTrimmer::MemoryTrimmer(Counter accepted, std::chrono::milliseconds period, Trim trim)
    : accepted_(std::move(accepted)), period_(period), trim_(std::move(trim)) {
    if (!trim_) trim_ = [] { malloc_trim(0); };
    seen_ = accepted_();
}

MemoryTrimmer::~MemoryTrimmer() { stop(); }

bool MemoryTrimmer::step() {
    const std::uint64_t now = accepted_();
    if (now == seen_) return false;
    seen_ = now;
    trim_();
    return true;
}

void MemoryTrimmer::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
            lock.unlock();
            step();
            lock.lock();
        }
    });
}

void MemoryTrimmer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace cmon::app
