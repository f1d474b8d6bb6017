// PidWatch: a pidfd names one process and becomes readable when that process exits. PidWatch.* stay in
// this process; PidWatchChild.* fork a child to watch it exit (ctest label `system`).
#include "sources/pid_watch.hpp"
#include "sources/pid_watch_bell.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <memory>
#include <utility>
#include <vector>

#include "fakes/child_process.hpp"

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

TEST(PidWatchBell, StaysSilentWhileItsProcessesRun) {
    PidWatchBell bell;
    EXPECT_FALSE(bell.rung());  // nothing added
    PidWatch self = PidWatch::open(::getpid());
    ASSERT_TRUE(self);
    PidWatch empty;
    bell.add(self);
    bell.add(self);   // once is enough; twice is harmless
    bell.add(empty);  // ignored
    EXPECT_FALSE(bell.rung());
}

using testing::Child;

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

TEST(PidWatchBellChild, RingsWhenAWatchedProcessExitsUntilItsWatchCloses) {
    Child child;
    ASSERT_GT(child.pid(), 0);
    PidWatchBell bell;
    auto watch = std::make_unique<PidWatch>(PidWatch::open(child.pid()));
    PidWatch self = PidWatch::open(::getpid());
    ASSERT_TRUE(*watch && self);
    bell.add(*watch);
    bell.add(self);
    EXPECT_FALSE(bell.rung());
    child.let_exit();
    ASSERT_TRUE(child.wait_exited());
    EXPECT_TRUE(bell.rung());
    EXPECT_TRUE(bell.rung());  // level-triggered: until the owner acts on it
    watch.reset();             // the owner drops the exited container: its pidfd leaves the set
    EXPECT_FALSE(bell.rung());
    // A watch moved into a new owner is still the one the bell holds; a new watch is added anew.
    Child second;
    ASSERT_GT(second.pid(), 0);
    PidWatch moved = PidWatch::open(second.pid());
    bell.add(moved);
    PidWatch owner = std::move(moved);
    second.let_exit();
    ASSERT_TRUE(second.wait_exited());
    EXPECT_TRUE(bell.rung());
}

}  // namespace
}  // namespace cmon::sources
