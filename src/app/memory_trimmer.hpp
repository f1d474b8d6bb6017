// MemoryTrimmer: process-wide housekeeping that gives freed heap pages back to the system after a burst
// of connections. A thousand event streams connecting allocate read buffers and parsers that are freed
// once the requests are answered, but they lie between allocations that live on, and glibc only returns
// the top of its heap by itself: the process would keep its peak footprint. malloc_trim(0) also returns
// whole free pages inside the heap (madvise). It runs on its own thread, not on the network thread or
// the sampler's, at most once a period and only when connections were accepted since the last round
// (steady keep-alive load never calls it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace cmon::app {

class MemoryTrimmer {
public:
    using Counter = std::function<std::uint64_t()>;  // connections accepted so far (thread-safe)
    using Trim = std::function<void()>;

    // `trim` defaults to malloc_trim(0); tests count calls instead.
    explicit MemoryTrimmer(Counter accepted, std::chrono::milliseconds period = std::chrono::seconds(1),
                           Trim trim = {});
    ~MemoryTrimmer();
    MemoryTrimmer(const MemoryTrimmer&) = delete;
    MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

    void start();  // a thread that calls step() every period
    void stop();   // idempotent

    // One round: trims when the counter moved since the previous round. True when it trimmed.
    bool step();

private:
    Counter accepted_;
    const std::chrono::milliseconds period_;
    Trim trim_;
    std::uint64_t seen_ = 0;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cmon::app
