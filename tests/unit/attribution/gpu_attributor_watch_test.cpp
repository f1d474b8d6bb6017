// GpuAttributor on the machine's own /proc: a GPU process read once is then watched through a pidfd, so
// later ticks need no stat() of /proc/<pid>; its exit brings the identity check back. Forks a child
// (ctest label `system`).
#include <gtest/gtest.h>
#include <unistd.h>

#include "attribution/gpu_attributor.hpp"
#include "fakes/child_process.hpp"

namespace cmon::attribution {
namespace {

model::Snapshot draft_with(unsigned pid) {
    model::Snapshot draft;
    model::GpuProcess process;
    process.pid = pid;
    draft.gpu_processes.push_back(process);
    return draft;
}

TEST(GpuAttributorWatch, AProcessReadOnceIsWatchedNotStattedUntilItExits) {
    GpuAttributor attributor(sources::HostPaths{});  // the real /proc
    ASSERT_TRUE(attributor.watches_processes()) << "pidfd_open is refused here (kernel before 5.3, or seccomp)";
    testing::Child child;
    ASSERT_GT(child.pid(), 0);
    const auto pid = static_cast<unsigned>(child.pid());

    model::Snapshot first = draft_with(pid);
    attributor.attribute(first);
    EXPECT_TRUE(first.gpu_processes[0].process_exists);
    EXPECT_EQ(attributor.reads(), 1u);
    const std::uint64_t checks = attributor.identity_checks();

    for (int tick = 0; tick < 3; ++tick) {
        model::Snapshot again = draft_with(pid);
        attributor.attribute(again);
        EXPECT_TRUE(again.gpu_processes[0].process_exists);
    }
    EXPECT_EQ(attributor.identity_checks(), checks) << "a watched process was stat()ed again";
    EXPECT_EQ(attributor.reads(), 1u);

    child.let_exit();
    ASSERT_TRUE(child.wait_exited());
    child.reap();  // /proc/<pid> is gone now
    model::Snapshot after = draft_with(pid);
    attributor.attribute(after);
    EXPECT_FALSE(after.gpu_processes[0].process_exists);
    EXPECT_GT(attributor.identity_checks(), checks);
}

TEST(GpuAttributorWatch, AFixtureTreeIsNotThisProcesssPidNamespace) {
    sources::HostPaths paths;
    paths.proc = CMON_FIXTURES_DIR "/attribution/proc";
    EXPECT_FALSE(GpuAttributor(paths).watches_processes());
}

}  // namespace
}  // namespace cmon::attribution
