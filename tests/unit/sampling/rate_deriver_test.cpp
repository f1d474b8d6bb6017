#include "sampling/rate_deriver.hpp"

#include <gtest/gtest.h>

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

model::Snapshot at(std::chrono::steady_clock::duration t) {
    model::Snapshot s;
    s.monotonic = std::chrono::steady_clock::time_point(t);
    return s;
}

model::ContainerStats container(std::string id, std::uint64_t cpu_ns) {
    model::ContainerStats c;
    c.id = std::move(id);
    c.cpu_time_ns_total = cpu_ns;
    return c;
}

TEST(RateDeriver, HostCpuPercentFromTicks) {
    auto before = at(0s), after = at(1s);
    before.host.cpu_times = {100, 1000};
    after.host.cpu_times = {150, 1200};
    derive_rates(before, after);
    ASSERT_TRUE(after.host.cpu_busy_percent);
    EXPECT_DOUBLE_EQ(*after.host.cpu_busy_percent, 25.0);
}

TEST(RateDeriver, NoCpuPercentWhenNoTicksPassed) {
    auto before = at(0s), after = at(1s);
    before.host.cpu_times = {100, 1000};
    after.host.cpu_times = {100, 1000};
    derive_rates(before, after);
    EXPECT_FALSE(after.host.cpu_busy_percent);
}

TEST(RateDeriver, ByteRatesPerSecond) {
    auto before = at(0s), after = at(2s);
    before.host.network_rx.bytes_total = 1000;
    after.host.network_rx.bytes_total = 5000;
    before.host.disk_write.bytes_total = 10;
    after.host.disk_write.bytes_total = 5;  // went backwards: no rate
    derive_rates(before, after);
    EXPECT_DOUBLE_EQ(after.host.network_rx.bytes_per_second.value(), 2000.0);
    EXPECT_FALSE(after.host.disk_write.bytes_per_second);
}

TEST(RateDeriver, ContainerCpuPercentOfOneCore) {
    auto before = at(0s), after = at(2s);
    before.containers.push_back(container("a", 1'000'000'000));
    after.containers.push_back(container("a", 4'000'000'000));  // 3 s of CPU in 2 s = 150 %
    after.containers.push_back(container("new", 5));
    derive_rates(before, after);
    EXPECT_DOUBLE_EQ(after.containers[0].cpu_percent.value(), 150.0);
    EXPECT_FALSE(after.containers[1].cpu_percent) << "a container seen once has no rate yet";
}

TEST(RateDeriver, ContainersAreMatchedByIdWhereTheirPlacesMoved) {
    auto before = at(0s), after = at(1s);
    before.containers.push_back(container("a", 1'000'000'000));
    before.containers.push_back(container("b", 1'000'000'000));
    before.containers.push_back(container("gone", 1'000'000'000));
    after.containers.push_back(container("new", 1'000'000'000));  // at a's place
    after.containers.push_back(container("b", 1'500'000'000));    // at its own place
    after.containers.push_back(container("a", 1'250'000'000));    // at gone's place
    derive_rates(before, after);
    EXPECT_FALSE(after.containers[0].cpu_percent);
    EXPECT_DOUBLE_EQ(after.containers[1].cpu_percent.value(), 50.0);
    EXPECT_DOUBLE_EQ(after.containers[2].cpu_percent.value(), 25.0);
}

TEST(RateDeriver, RestartedContainerHasNoRate) {
    auto before = at(0s), after = at(1s);
    before.containers.push_back(container("a", 9'000'000'000));
    after.containers.push_back(container("a", 1'000));
    derive_rates(before, after);
    EXPECT_FALSE(after.containers[0].cpu_percent);
}

TEST(RateDeriver, ContainerNetworkRate) {
    auto before = at(0s), after = at(1s);
    before.containers.push_back(container("a", 0));
    after.containers.push_back(container("a", 0));
    before.containers[0].network_tx = model::ByteCounter{100, std::nullopt};
    after.containers[0].network_tx = model::ByteCounter{612, std::nullopt};
    derive_rates(before, after);
    EXPECT_DOUBLE_EQ(after.containers[0].network_tx->bytes_per_second.value(), 512.0);
}

TEST(RateDeriver, ZeroIntervalDerivesNothing) {
    auto before = at(1s), after = at(1s);
    before.host.cpu_times = {0, 0};
    after.host.cpu_times = {10, 20};
    derive_rates(before, after);
    EXPECT_FALSE(after.host.cpu_busy_percent);
}

}  // namespace
}  // namespace cmon::sampling
