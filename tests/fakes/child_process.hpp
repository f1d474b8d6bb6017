// A child process that waits until its pipe closes, then exits: a process a test can watch exit at a
// moment of its choosing. Tests that fork get a ctest label other than `unit`.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cmon::testing {

class Child {
public:
    Child() {
        int fds[2];
        if (::pipe(fds) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            // Only its own read end stays open: a write end inherited from another child's pipe would keep
            // that pipe from ever closing.
            for (int fd = 3; fd < 1024; ++fd) {
                if (fd != fds[0]) ::close(fd);
            }
            char byte;
            while (::read(fds[0], &byte, 1) > 0) {
            }
            ::_exit(0);
        }
        ::close(fds[0]);
        release_ = fds[1];
    }
    ~Child() {
        let_exit();
        if (pid_ > 0 && !reaped_) ::waitpid(pid_, nullptr, 0);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    pid_t pid() const { return pid_; }
    void let_exit() {
        if (release_ >= 0) ::close(release_);
        release_ = -1;
    }
    // Waits until the child has exited (a zombie until reap()): waitid with WNOWAIT leaves it unreaped.
    bool wait_exited() {
        siginfo_t info{};
        return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) == 0;
    }
    void reap() {
        ::waitpid(pid_, nullptr, 0);
        reaped_ = true;
    }

private:
    pid_t pid_ = -1;
    int release_ = -1;
    bool reaped_ = false;
};

}  // namespace cmon::testing
