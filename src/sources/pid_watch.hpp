// Tells whether a process has exited without looking at /proc/<pid> every sample (a container's init
// process, a GPU process): a pidfd (pidfd_open(2), Linux 5.3+) names that very process, never a later one
// that reuses its number, and becomes readable when it exits. One poll(2) over all of them checks every
// process at once. Pids are those of the monitor's own pid namespace.
#pragma once

#include <cstddef>
#include <vector>

#include "util/unique_fd.hpp"

namespace cmon::sources {

class PidWatchBell;

class PidWatch {
public:
    PidWatch() = default;
    // Empty when pidfds are not available (old kernel, seccomp) or the process is already gone.
    static PidWatch open(int pid);

    explicit operator bool() const { return static_cast<bool>(fd_); }

    // For each watch: true when its process has exited (an empty watch counts as not exited).
    static std::vector<bool> exited(const std::vector<const PidWatch*>& watches);

private:
    friend class PidWatchBell;
    explicit PidWatch(int fd) : fd_(fd) {}
    util::UniqueFd fd_;
    const PidWatchBell* bell_ = nullptr;  // the bell that holds fd_, if one does
};

}  // namespace cmon::sources
