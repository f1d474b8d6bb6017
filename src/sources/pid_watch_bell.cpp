#include "sources/pid_watch_bell.hpp"

#include <sys/epoll.h>

#include <cerrno>

namespace cmon::sources {

PidWatchBell::PidWatchBell() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), usable_(static_cast<bool>(epoll_)) {}

void PidWatchBell::add(PidWatch& watch) {
    if (!watch || watch.bell_ == this) return;
    epoll_event event{};
    event.events = EPOLLIN;
    if (usable_ && ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, watch.fd_.get(), &event) != 0 && errno != EEXIST) {
        usable_ = false;
    }
    watch.bell_ = this;
}

bool PidWatchBell::rung() const {
    if (!usable_) return true;
    epoll_event event{};
    int ready = 0;
    do {
        ready = ::epoll_wait(epoll_.get(), &event, 1, 0);
    } while (ready < 0 && errno == EINTR);
    return ready != 0;  // an error rings too: the caller polls every watch
}

}  // namespace cmon::sources
