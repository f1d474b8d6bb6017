// One epoll set over the PidWatches of a source: when none of their processes exited, a single
// epoll_wait(2) that returns nothing says so, instead of a poll(2) that asks every pidfd again each
// sample (the kernel's pidfd_poll for each of 100 containers, every second). When it rings, the caller
// asks PidWatch::exited which ones. A watch's descriptor leaves the set by itself when the watch closes it.
#pragma once

#include "sources/pid_watch.hpp"
#include "util/unique_fd.hpp"

namespace cmon::sources {

class PidWatchBell {
public:
    PidWatchBell();
    // Adds the watch's pidfd unless this bell holds it already (an empty watch is ignored).
    void add(PidWatch& watch);
    // True when a process of a watch added here has exited since (and stays so while that watch is open),
    // and always true when the epoll set could not be made or added to: the caller then polls every watch.
    bool rung() const;

private:
    util::UniqueFd epoll_;
    bool usable_ = false;
};

}  // namespace cmon::sources
