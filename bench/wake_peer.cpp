// A peer for bench/process_bench.py: one thread that wakes `wakes_per_second` times a second on an
// absolute timer and does nothing else, for at most `seconds`. Measured in the same minute as the monitor,
// its CPU time per wake is what a wake-up alone costs on this machine at that time (the kernel's switch in
// and out, the timer, a virtual machine's exits), the floor under each of the monitor's wakes.
//
// Usage: bench_wake_peer WAKES_PER_SECOND SECONDS
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s WAKES_PER_SECOND SECONDS\n", argv[0]);
        return 2;
    }
    const long rate = std::strtol(argv[1], nullptr, 10);
    const long seconds = std::strtol(argv[2], nullptr, 10);
    if (rate <= 0 || rate > 1000 || seconds <= 0) {
        std::fprintf(stderr, "%s: WAKES_PER_SECOND 1..1000, SECONDS > 0\n", argv[0]);
        return 2;
    }
    const long period_ns = 1'000'000'000L / rate;
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long wake = 0; wake < rate * seconds; ++wake) {  // bounded: it stops itself
        next.tv_nsec += period_ns;
        if (next.tv_nsec >= 1'000'000'000L) {
            next.tv_nsec -= 1'000'000'000L;
            ++next.tv_sec;
        }
        int rc = 0;
        while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr)) == EINTR) {
        }
        if (rc != 0) {
            std::fprintf(stderr, "%s: clock_nanosleep: error %d\n", argv[0], rc);
            return 1;
        }
    }
    return 0;
}
