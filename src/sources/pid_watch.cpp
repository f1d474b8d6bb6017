#include "sources/pid_watch.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace cmon::sources {

PidWatch PidWatch::open(int pid) {
#ifdef SYS_pidfd_open
    if (pid > 0) {
        const long fd = ::syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0) {
            // pidfds are always close-on-exec.
            return PidWatch(static_cast<int>(fd));
        }
    }
#else
    (void)pid;
#endif
    return PidWatch{};
}

std::vector<bool> PidWatch::exited(const std::vector<const PidWatch*>& watches) {
    std::vector<bool> out(watches.size(), false);
    std::vector<pollfd> fds;
    fds.reserve(watches.size());
    for (const PidWatch* w : watches) {
        fds.push_back(pollfd{w != nullptr ? w->fd_.get() : -1, POLLIN, 0});  // fd -1: ignored by poll
    }
    if (fds.empty()) return out;
    int ready = 0;
    do {
        ready = ::poll(fds.data(), fds.size(), 0);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) return out;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        out[i] = fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    }
    return out;
}

}  // namespace cmon::sources
