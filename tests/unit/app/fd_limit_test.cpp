#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace cmon::app {
namespace {

TEST(FdLimit, ConnectionLimitKeepsDescriptorsInReserve) {
    EXPECT_EQ(connection_limit(2048, 1048576), 2048u);
    EXPECT_EQ(connection_limit(2048, 1024), 1024u - kReservedDescriptors);
    EXPECT_EQ(connection_limit(100, 1024), 100u);
    EXPECT_EQ(connection_limit(2048, 100), 50u);  // tiny limits: half for connections
    EXPECT_EQ(connection_limit(2048, 1), 1u);
}

TEST(FdLimit, RaisesTheSoftLimitToTheHardOne) {
    rlimit before{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
    const std::uint64_t now = raise_fd_limit();
    rlimit after{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
    EXPECT_EQ(after.rlim_cur, after.rlim_max);
    EXPECT_EQ(after.rlim_max, before.rlim_max);
    if (after.rlim_cur != RLIM_INFINITY) {
        EXPECT_EQ(now, after.rlim_cur);
    }
}

}  // namespace
}  // namespace cmon::app
