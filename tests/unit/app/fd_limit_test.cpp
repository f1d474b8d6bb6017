#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace cmon::app {
namespace {

TEST(FdLimit, BudgetNeverPromisesMoreDescriptorsThanTheLimit) {
    // The usual soft limit: connections and kept container files together stay under it with the reserve.
    const auto at_1024 = descriptor_budget(2048, 1024);
    EXPECT_EQ(at_1024.container_files, (1024u - kReservedDescriptors) / 4);
    EXPECT_EQ(at_1024.connections, 1024u - kReservedDescriptors - at_1024.container_files);
    EXPECT_LE(at_1024.connections + at_1024.container_files + kReservedDescriptors, 1024u);
    for (std::uint64_t limit :
         {std::uint64_t{129}, std::uint64_t{256}, std::uint64_t{4096}, std::uint64_t{65536}, std::uint64_t{1048576}}) {
        const auto budget = descriptor_budget(1'000'000, limit);
        EXPECT_LE(budget.connections + budget.container_files + kReservedDescriptors, limit) << limit;
    }
}

TEST(FdLimit, BudgetGivesConnectionsWhatWasAskedWhenThereIsRoom) {
    const auto big = descriptor_budget(2048, 1048576);
    EXPECT_EQ(big.connections, 2048u);
    EXPECT_EQ(big.container_files, kContainerFilesMax);
    EXPECT_EQ(descriptor_budget(100, 1024).connections, 100u);
    EXPECT_EQ(descriptor_budget(100, 1024).container_files, (1024u - kReservedDescriptors) / 4);
    const auto unlimited = descriptor_budget(2048, UINT64_MAX);
    EXPECT_EQ(unlimited.connections, 2048u);
    EXPECT_EQ(unlimited.container_files, kContainerFilesMax);
}

TEST(FdLimit, TinyLimitsKeepHalfInReserveAndOneConnection) {
    const auto at_100 = descriptor_budget(2048, 100);  // half reserved: 50 left, a quarter of it for files
    EXPECT_EQ(at_100.container_files, 12u);
    EXPECT_EQ(at_100.connections, 38u);
    const auto at_1 = descriptor_budget(2048, 1);
    EXPECT_EQ(at_1.connections, 1u);
    EXPECT_EQ(at_1.container_files, 0u);
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
