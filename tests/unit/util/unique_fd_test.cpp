// UniqueFd closes what it owns exactly once: checked on the descriptor table itself (fcntl F_GETFD fails
// with EBADF on a closed descriptor).
#include "util/unique_fd.hpp"

#include <fcntl.h>

#include <cerrno>
#include <gtest/gtest.h>
#include <utility>

namespace cmon::util {
namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

int open_null() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(UniqueFd, ClosesWhatItOwnsWhenItGoes) {
    int raw = -1;
    {
        UniqueFd fd(open_null());
        raw = fd.get();
        ASSERT_GE(raw, 0);
        EXPECT_TRUE(fd);
        EXPECT_TRUE(is_open(raw));
    }
    EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, AFailedOpenIsEmpty) {
    UniqueFd fd(::open("/nonexistent/cmon", O_RDONLY));
    EXPECT_FALSE(fd);
    EXPECT_EQ(fd.get(), -1);
    UniqueFd other(-5);
    EXPECT_EQ(other.get(), -1);
}

TEST(UniqueFd, MovingHandsOverWithoutClosing) {
    UniqueFd a(open_null());
    const int raw = a.get();
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
    EXPECT_EQ(b.get(), raw);
    EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, MoveAssignmentClosesTheOldDescriptor) {
    UniqueFd a(open_null());
    UniqueFd b(open_null());
    const int old_b = b.get();
    const int raw_a = a.get();
    b = std::move(a);
    EXPECT_FALSE(is_open(old_b));
    EXPECT_EQ(b.get(), raw_a);
    EXPECT_TRUE(is_open(raw_a));
}

TEST(UniqueFd, ResetClosesAndReleaseGivesUp) {
    UniqueFd fd(open_null());
    const int first = fd.get();
    fd.reset(open_null());
    EXPECT_FALSE(is_open(first));
    const int second = fd.get();
    EXPECT_TRUE(is_open(second));
    const int released = fd.release();
    EXPECT_EQ(released, second);
    EXPECT_FALSE(fd);
    EXPECT_TRUE(is_open(released));  // the caller owns it now
    ::close(released);
    fd.reset();
    EXPECT_FALSE(fd);
}

}  // namespace
}  // namespace cmon::util
