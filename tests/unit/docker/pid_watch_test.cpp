// PidWatch: a pidfd names one process and becomes readable when that process exits. PidWatch.* stay in
// this process; PidWatchChild.* fork a child to watch it exit (ctest label `system`).
#include "sources/docker/pid_watch.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <utility>
#include <vector>

namespace cmon::sources {
namespace {

TEST(PidWatch, WatchesALiveProcessThatHasNotExited) {
    const PidWatch self = PidWatch::open(::getpid());
    ASSERT_TRUE(self) << "pidfd_open is refused here (kernel before 5.3, or seccomp)";
    EXPECT_EQ(PidWatch::exited({&self}), std::vector<bool>{false});
}

TEST(PidWatch, NoProcessGivesAnEmptyWatchThatNeverCountsAsExited) {
    EXPECT_FALSE(PidWatch::open(0));
    EXPECT_FALSE(PidWatch::open(-1));
    EXPECT_FALSE(PidWatch::open(0x3fffffff)) << "above pid_max: no such process";
    const PidWatch empty;
    EXPECT_FALSE(empty);
    EXPECT_EQ(PidWatch::exited({&empty, nullptr}), (std::vector<bool>{false, false}));
    EXPECT_TRUE(PidWatch::exited({}).empty());
}

TEST(PidWatch, MovingHandsTheWatchOver) {
    PidWatch first = PidWatch::open(::getpid());
    ASSERT_TRUE(first);
    PidWatch second = std::move(first);
    EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
    EXPECT_TRUE(second);
    PidWatch third;
    third = std::move(second);
    EXPECT_FALSE(second);  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(third);
    EXPECT_EQ(PidWatch::exited({&third}), std::vector<bool>{false});
}

// A child that waits until its pipe closes, then exits.
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

TEST(PidWatchChild, TheWatchTurnsReadyWhenItsProcessExitsAndOnlyThen) {
    Child child;
    ASSERT_GT(child.pid(), 0);
    Child other;
    ASSERT_GT(other.pid(), 0);
    const PidWatch watch = PidWatch::open(child.pid());
    const PidWatch other_watch = PidWatch::open(other.pid());
    ASSERT_TRUE(watch && other_watch);
    EXPECT_EQ(PidWatch::exited({&watch, &other_watch}), (std::vector<bool>{false, false}));

    child.let_exit();
    ASSERT_TRUE(child.wait_exited());
    // Exited, not yet reaped, and reaped: the watch says so either way; the other child still runs.
    EXPECT_EQ(PidWatch::exited({&watch, &other_watch}), (std::vector<bool>{true, false}));
    child.reap();
    EXPECT_EQ(PidWatch::exited({&watch, &other_watch}), (std::vector<bool>{true, false}));
    EXPECT_FALSE(PidWatch::open(child.pid())) << "a reaped process cannot be watched any more";
}

}  // namespace
}  // namespace cmon::sources
