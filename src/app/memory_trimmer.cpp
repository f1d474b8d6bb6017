// MemoryTrimmer: a periodic malloc_trim after connection bursts (see the header for why).
#include "app/memory_trimmer.hpp"

#include <malloc.h>

namespace cmon::app {

MemoryTrimmer::MemoryTrimmer(Counter accepted, MemoryTrimmerOptions options, Trim trim)
    : accepted_(std::move(accepted)), options_(options), trim_(std::move(trim)) {
    if (!trim_) trim_ = [] { malloc_trim(0); };
    seen_ = accepted_();
    trimmed_at_ = seen_;
}

bool MemoryTrimmer::step() {
    const std::uint64_t now = accepted_();
    const bool arriving = now != seen_;
    seen_ = now;
    ++rounds_since_trim_;
    const std::uint64_t since_trim = now - trimmed_at_;
    const bool burst_over = since_trim >= options_.burst && !arriving;
    const bool trickle_due = since_trim > 0 && rounds_since_trim_ >= options_.trickle_rounds;
    if (!burst_over && !trickle_due) return false;
    trimmed_at_ = now;
    rounds_since_trim_ = 0;
    trim_();
    return true;
}

}  // namespace cmon::app
