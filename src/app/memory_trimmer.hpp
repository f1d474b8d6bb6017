// MemoryTrimmer: process-wide housekeeping that gives freed heap pages back to the system after a burst
// of connections. A thousand event streams connecting allocate read buffers and parsers that are freed
// once the requests are answered, but they lie between allocations that live on, and glibc only returns
// the top of its heap by itself: the process would keep its peak footprint. malloc_trim(0) also returns
// whole free pages inside the heap (madvise).
//
// It has no thread of its own: step() runs on the sampler's thread after each publish (app/ wires it
// as a listener): a round costs no wake-up of its own (a thread woken only to look at a counter costs
// more than the look), and a trim, rare by the rule below, runs there between two samples. Collection
// runs on for the idle pause after the last client left, so the round that ends a burst always comes.
//
// It must not run for ordinary polling: a script that opens a connection for each GET /query every
// second would otherwise trim every second, and every trim hands back the pages that the next snapshot's
// JSON bodies fault in again (tens of KB each second at 100 containers). So a trim follows a burst, once
// it is over (a round, one sample, without new connections after at least `burst` since the last trim), and slow
// trickles of connections are trimmed at most once per `trickle_rounds` rounds.
#pragma once

#include <cstdint>
#include <functional>

namespace cmon::app {

struct MemoryTrimmerOptions {
    std::uint64_t burst = 64;             // connections since the last trim that make a burst
    std::uint64_t trickle_rounds = 300;   // fewer than a burst: trimmed at most this often
};

class MemoryTrimmer {
public:
    using Counter = std::function<std::uint64_t()>;  // connections accepted so far (thread-safe)
    using Trim = std::function<void()>;

    // `trim` defaults to malloc_trim(0); tests count calls instead.
    explicit MemoryTrimmer(Counter accepted, MemoryTrimmerOptions options = {}, Trim trim = {});
    MemoryTrimmer(const MemoryTrimmer&) = delete;
    MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

    // One round. True when it trimmed. Called from one thread at a time.
    bool step();

private:
    Counter accepted_;
    const MemoryTrimmerOptions options_;
    Trim trim_;
    std::uint64_t seen_ = 0;          // the counter at the previous round
    std::uint64_t trimmed_at_ = 0;    // the counter at the last trim (or at construction)
    std::uint64_t rounds_since_trim_ = 0;
};

}  // namespace cmon::app
