// MetricHistory on synthetic snapshots with explicit times: full resolution, minute buckets, windows,
// steps, gaps, containers coming and going, and memory under churn.
#include "sampling/metric_history.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>

namespace cmon::sampling {
namespace {

using namespace std::chrono_literals;

// A whole minute since the epoch, so bucket edges fall on multiples of 60 s from here.
constexpr std::int64_t kT0 = 1'700'000'040'000;
static_assert(kT0 % 60'000 == 0);

model::Snapshot snapshot_at(std::int64_t at_ms, std::optional<double> cpu = std::nullopt, std::uint64_t memory = 0) {
    static std::uint64_t sequence = 0;
    model::Snapshot s;
    s.sequence = ++sequence;
    s.time = model::TimePoint(std::chrono::milliseconds(kT0 + at_ms));
    s.host.cpu_busy_percent = cpu;
    s.host.memory_used_bytes = memory;
    return s;
}

model::ContainerStats container(const std::string& short_id, std::optional<double> cpu = std::nullopt) {
    model::ContainerStats c;
    c.id = short_id + std::string(64 - short_id.size(), '0');
    c.short_id = short_id;
    c.name = "c-" + short_id;
    c.cpu_percent = cpu;
    return c;
}

std::vector<std::int64_t> from_t0(const model::HistoryTable& table) {
    std::vector<std::int64_t> out;
    for (std::int64_t t : table.times_ms) out.push_back(t - kT0);
    return out;
}

const model::HistoryColumn& host_column(const model::HistoryTable& table, const char* name) {
    return table.host.columns.at(name);
}

TEST(MetricHistory, KeepsEverySampleOfExactlyTheLastFifteenMinutes) {
    MetricHistory history(3600s);
    for (std::int64_t s = 0; s <= 1200; ++s) history.add(snapshot_at(s * 1000, static_cast<double>(s % 100)));
    // Newest at 1200 s: the samples at 300 s ... 1200 s are raw (300 s is exactly 15 min old).
    EXPECT_EQ(history.stats().raw_samples, 901u);
    const model::HistoryTable raw = history.query(900s);
    ASSERT_EQ(raw.times_ms.size(), 901u);
    EXPECT_EQ(raw.times_ms.front(), kT0 + 300'000);
    EXPECT_EQ(raw.times_ms.back(), kT0 + 1'200'000);
    EXPECT_FALSE(raw.aggregated);
    EXPECT_FALSE(raw.full_resolution_since_ms);
    EXPECT_EQ(host_column(raw, "cpu_busy_percent").mean[0], 0.0);  // 300 % 100
    // The hour: minutes 0..4 as buckets, then the raw samples.
    const model::HistoryTable hour = history.query(3600s);
    ASSERT_EQ(hour.times_ms.size(), 5u + 901u);
    EXPECT_EQ(
        std::vector<std::int64_t>(hour.times_ms.begin(), hour.times_ms.begin() + 6),
        (std::vector<std::int64_t>{kT0, kT0 + 60'000, kT0 + 120'000, kT0 + 180'000, kT0 + 240'000, kT0 + 300'000}));
    EXPECT_EQ(hour.full_resolution_since_ms, kT0 + 300'000);
    EXPECT_TRUE(hour.aggregated);
}

TEST(MetricHistory, MinuteBucketsHoldMinMeanMaxAndCountsAtTheEdges) {
    MetricHistory history(3600s);
    history.add(snapshot_at(0, 10.0, 1000));
    history.add(snapshot_at(59'999, 30.0, 2000));          // last millisecond of minute 0
    history.add(snapshot_at(60'000, 50.0, 3000));          // first of minute 1
    history.add(snapshot_at(60'500, std::nullopt, 4000));  // no CPU value: not counted for CPU
    history.add(snapshot_at(119'999, 70.0, 8000));
    history.add(snapshot_at(1'100'000, 0.0, 0));  // folds everything before 200 s
    const model::HistoryTable table = history.query(3600s);
    ASSERT_EQ(from_t0(table), (std::vector<std::int64_t>{0, 60'000, 1'100'000}));
    const auto& cpu = host_column(table, "cpu_busy_percent");
    EXPECT_EQ(cpu.mean, (std::vector<std::optional<double>>{20.0, 60.0, 0.0}));
    EXPECT_EQ(cpu.min, (std::vector<std::optional<double>>{10.0, 50.0, 0.0}));
    EXPECT_EQ(cpu.max, (std::vector<std::optional<double>>{30.0, 70.0, 0.0}));
    const auto& memory = host_column(table, "memory_used_bytes");
    EXPECT_EQ(memory.mean, (std::vector<std::optional<double>>{1500.0, 5000.0, 0.0}));
    // Counts weigh the buckets in a step: CPU 2 + 2 samples, memory 2 + 3.
    const model::HistoryTable stepped = history.query(3600s, 120s);
    ASSERT_EQ(from_t0(stepped), (std::vector<std::int64_t>{0, 1'080'000}));
    EXPECT_EQ(host_column(stepped, "cpu_busy_percent").mean[0], 40.0);
    EXPECT_EQ(host_column(stepped, "memory_used_bytes").mean[0], 3600.0);
    EXPECT_EQ(host_column(stepped, "memory_used_bytes").min[0], 1000.0);
    EXPECT_EQ(host_column(stepped, "memory_used_bytes").max[0], 8000.0);
}

TEST(MetricHistory, StepsAggregateAcrossTheRawAndBucketBoundary) {
    MetricHistory history(3600s);
    for (std::int64_t s = 0; s <= 1230; ++s) history.add(snapshot_at(s * 1000, static_cast<double>(s % 60)));
    // Newest at 1230 s: 300..329 s of minute 5 are folded into its bucket, 330..359 s are raw.
    const model::HistoryTable unstepped = history.query(3600s);
    EXPECT_EQ(unstepped.times_ms[5], kT0 + 300'000);  // minute 5's bucket ...
    EXPECT_EQ(unstepped.times_ms[6], kT0 + 330'000);  // ... then its raw samples
    const model::HistoryTable table = history.query(3600s, 60s);
    ASSERT_EQ(table.times_ms.size(), 21u);  // minutes 0..20, each once
    for (std::size_t m = 0; m < table.times_ms.size(); ++m)
        EXPECT_EQ(table.times_ms[m], kT0 + 60'000 * std::int64_t(m));
    const auto& cpu = host_column(table, "cpu_busy_percent");
    EXPECT_NEAR(*cpu.mean[5], 29.5, 1e-4);  // 0..59 each once, half from the bucket and half raw (float means)
    EXPECT_EQ(cpu.min[5], 0.0);
    EXPECT_EQ(cpu.max[5], 59.0);
    EXPECT_NEAR(*cpu.mean[4], 29.5, 1e-4);  // all from the bucket
    EXPECT_DOUBLE_EQ(*cpu.mean[19], 29.5);  // all raw
    EXPECT_EQ(cpu.mean[20], 15.0);          // 1200..1230 s: 0..30
}

TEST(MetricHistory, AContainerThatComesAndGoesKeepsItsSeriesForTheWindowThenIsForgotten) {
    MetricHistory history(1800s);
    for (std::int64_t s = 0; s < 200; ++s) {
        model::Snapshot snap = snapshot_at(s * 1000);
        snap.containers.push_back(container("bbbbbbbbbbbb", 1.0));
        if (s >= 10 && s < 20) {
            snap.containers.push_back(container("aaaaaaaaaaaa", static_cast<double>(s)));
            snap.containers.back().owner = "ana";
        }
        history.add(snap);
    }
    model::HistoryTable table = history.query(1800s);
    ASSERT_EQ(table.containers.size(), 2u);
    const model::HistorySeries& a = table.containers.at("aaaaaaaaaaaa");
    EXPECT_EQ(a.name, "c-aaaaaaaaaaaa");
    EXPECT_EQ(a.owner, "ana");
    const auto& cpu = a.columns.at("cpu_percent").mean;
    ASSERT_EQ(cpu.size(), 200u);
    EXPECT_FALSE(cpu[9]);
    EXPECT_EQ(cpu[10], 10.0);
    EXPECT_EQ(cpu[19], 19.0);
    EXPECT_FALSE(cpu[20]);
    EXPECT_EQ(table.containers.at("bbbbbbbbbbbb").owner, "c-bbbbbbbbbbbb");  // no owner: the name
    // Outside a shorter window it is not listed at all.
    EXPECT_EQ(history.query(100s).containers.count("aaaaaaaaaaaa"), 0u);
    EXPECT_EQ(history.stats().containers, 2u);
    // Its last sample (19 s) is in minute 0's bucket: gone once that bucket leaves the 30 min window.
    history.add(snapshot_at(1'800'000));
    EXPECT_EQ(history.stats().containers, 2u);
    history.add(snapshot_at(1'800'001));
    EXPECT_EQ(history.stats().containers, 1u);
    EXPECT_EQ(history.query(1800s).containers.count("aaaaaaaaaaaa"), 0u);
}

TEST(MetricHistory, ContainersThatChangePlacesKeepTheirOwnSeries) {
    MetricHistory history(1800s);
    const std::vector<std::vector<std::string>> orders = {
        {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}, {"aaaaaaaaaaaa", "bbbbbbbbbbbb"}, {"bbbbbbbbbbbb", "aaaaaaaaaaaa"},
        {"cccccccccccc", "bbbbbbbbbbbb", "aaaaaaaaaaaa"}, {"aaaaaaaaaaaa"}, {"bbbbbbbbbbbb", "aaaaaaaaaaaa"}};
    for (std::size_t s = 0; s < orders.size(); ++s) {
        model::Snapshot snap = snapshot_at(static_cast<std::int64_t>(s) * 1000);
        // Each container's CPU says who it is: a 1x, b 2x, c 3x the sample number.
        for (const auto& id : orders[s]) snap.containers.push_back(container(id, (id[0] - 'a' + 1) * 10.0 + s));
        history.add(snap);
    }
    model::HistoryTable table = history.query(1800s);
    auto cpu = [&](const char* id) { return table.containers.at(id).columns.at("cpu_percent").mean; };
    const auto a = cpu("aaaaaaaaaaaa"), b = cpu("bbbbbbbbbbbb"), c = cpu("cccccccccccc");
    ASSERT_EQ(a.size(), orders.size());
    for (std::size_t s = 0; s < orders.size(); ++s) {
        EXPECT_EQ(a[s], 10.0 + s) << s;
        if (s == 4) {
            EXPECT_FALSE(b[s]);
        } else {
            EXPECT_EQ(b[s], 20.0 + s) << s;
        }
        if (s == 3) {
            EXPECT_EQ(c[s], 33.0);
        } else {
            EXPECT_FALSE(c[s]) << s;
        }
    }
}

TEST(MetricHistory, APauseStaysAGap) {
    MetricHistory history(3600s);
    for (std::int64_t s = 0; s < 60; ++s) history.add(snapshot_at(s * 1000, 5.0));
    for (std::int64_t s = 600; s < 660; ++s) history.add(snapshot_at(s * 1000, 7.0));
    const model::HistoryTable raw = history.query(3600s);
    ASSERT_EQ(raw.times_ms.size(), 120u);
    EXPECT_EQ(raw.times_ms[60] - raw.times_ms[59], 541'000);
    EXPECT_EQ(from_t0(history.query(3600s, 60s)), (std::vector<std::int64_t>{0, 600'000}));
    // Folded into buckets, still no minute between.
    for (std::int64_t s = 2000; s < 2010; ++s) history.add(snapshot_at(s * 1000, 9.0));
    EXPECT_EQ(from_t0(history.query(3600s, 60s)), (std::vector<std::int64_t>{0, 600'000, 1'980'000}));
    const model::HistoryTable folded = history.query(3600s);
    EXPECT_EQ(std::vector<std::int64_t>(folded.times_ms.begin(), folded.times_ms.begin() + 2),
              (std::vector<std::int64_t>{kT0, kT0 + 600'000}));
    EXPECT_EQ(folded.times_ms.size(), 2u + 10u);
}

TEST(MetricHistory, TrimsToTheWindowAndServesShorterOnes) {
    MetricHistory history(3600s);
    for (std::int64_t s = 0; s <= 7190; s += 10) history.add(snapshot_at(s * 1000, 1.0));
    // Newest 7190 s: buckets of minutes 60 (3600 s, the first to start inside the hour) .. 104, raw from 6290 s.
    const MetricHistory::Stats stats = history.stats();
    EXPECT_EQ(stats.buckets, 45u);
    EXPECT_EQ(stats.raw_samples, 91u);
    const model::HistoryTable all = history.query(100'000s);
    EXPECT_EQ(all.times_ms.front(), kT0 + 3'600'000);
    EXPECT_EQ(all.times_ms.size(), 45u + 91u);
    const model::HistoryTable half = history.query(1800s);
    EXPECT_EQ(half.times_ms.front(), kT0 + 5'400'000);  // the first bucket starting within 30 min
    const model::HistoryTable none = history.query(0s);
    EXPECT_EQ(from_t0(none), (std::vector<std::int64_t>{7'190'000}));
}

TEST(MetricHistory, ExtractsTheChartedNumbers) {
    MetricHistory history(3600s);
    model::Snapshot s = snapshot_at(0, 12.5, 4096);
    s.host.network_rx.bytes_per_second = 1500.0;
    s.host.disk_write.bytes_per_second = 8192.0;
    model::GpuDevice gpu;
    gpu.index = 3;
    gpu.utilization_percent = 72;
    gpu.memory_used_bytes = 1ULL << 30;
    gpu.memory_total_bytes = 80ULL << 30;
    s.gpus.push_back(gpu);
    s.containers.push_back(container("aaaaaaaaaaaa", 145.1));
    s.containers.back().memory_working_set_bytes = 1ULL << 31;
    s.containers.push_back(container("bbbbbbbbbbbb"));
    auto process = [&](unsigned gpu_index, std::optional<std::uint64_t> memory, unsigned sm) {
        model::GpuProcess p;
        p.gpu_index = gpu_index;
        p.container_id = s.containers[0].id;
        p.memory_used_bytes = memory;
        p.sm_percent = sm;
        s.gpu_processes.push_back(p);
    };
    process(3, 1ULL << 29, 40);
    process(3, 1ULL << 28, 20);
    process(1, 1ULL << 20, 5);
    history.add(s);
    const model::HistoryTable t = history.query(60s);
    EXPECT_EQ(host_column(t, "cpu_busy_percent").mean[0], 12.5);
    EXPECT_EQ(host_column(t, "memory_used_bytes").mean[0], 4096.0);
    EXPECT_EQ(host_column(t, "network_rx_bytes_per_second").mean[0], 1500.0);
    EXPECT_FALSE(host_column(t, "network_tx_bytes_per_second").mean[0]);
    EXPECT_EQ(host_column(t, "disk_write_bytes_per_second").mean[0], 8192.0);
    const auto& g = t.gpus.at(3).columns;
    EXPECT_EQ(g.at("utilization_percent").mean[0], 72.0);
    EXPECT_EQ(g.at("memory_used_bytes").mean[0], double(1ULL << 30));
    EXPECT_EQ(g.at("memory_total_bytes").mean[0], double(80ULL << 30));
    const auto& a = t.containers.at("aaaaaaaaaaaa").columns;
    EXPECT_NEAR(*a.at("cpu_percent").mean[0], 145.1, 1e-4);
    EXPECT_EQ(a.at("memory_working_set_bytes").mean[0], double(1ULL << 31));
    EXPECT_EQ(a.at("gpu_memory_bytes").mean[0], double((1ULL << 29) + (1ULL << 28) + (1ULL << 20)));
    EXPECT_EQ(a.at("sm_percent").mean[0], 65.0);
    EXPECT_EQ(a.at("gpu_memory_bytes_by_gpu/3").mean[0], double((1ULL << 29) + (1ULL << 28)));
    EXPECT_EQ(a.at("gpu_memory_bytes_by_gpu/1").mean[0], double(1ULL << 20));
    const auto& b = t.containers.at("bbbbbbbbbbbb").columns;
    EXPECT_EQ(b.at("gpu_memory_bytes").mean[0], 0.0);  // no process: 0, as in the snapshot
    EXPECT_EQ(b.at("sm_percent").mean[0], 0.0);
    EXPECT_FALSE(b.at("cpu_percent").mean[0]);
    EXPECT_EQ(b.count("gpu_memory_bytes_by_gpu/3"), 0u);
    // A process that does not report memory: the container's GPU memory is unknown, not 0.
    model::Snapshot later = s;
    later.time += 1s;
    later.gpu_processes[0].memory_used_bytes.reset();
    later.gpu_processes.resize(1);
    history.add(later);
    EXPECT_FALSE(history.query(60s).containers.at("aaaaaaaaaaaa").columns.at("gpu_memory_bytes").mean[1]);
}

TEST(MetricHistory, AClockSetBackDropsWhatIsNewerThanIt) {
    MetricHistory history(3600s);
    for (std::int64_t s = 0; s <= 100; ++s) history.add(snapshot_at(s * 1000, 1.0));
    history.add(snapshot_at(50'500, 2.0));
    const model::HistoryTable t = history.query(3600s);
    ASSERT_EQ(t.times_ms.size(), 52u);  // 0..50 s, then 50.5 s
    EXPECT_EQ(t.times_ms.back(), kT0 + 50'500);
    EXPECT_EQ(host_column(t, "cpu_busy_percent").mean.back(), 2.0);
    history.add(snapshot_at(51'000, 3.0));
    EXPECT_EQ(history.query(3600s).times_ms.size(), 53u);
}

// Five new ids every minute, a sample every 3 s, for ten windows: only the ids seen within the window stay interned.
TEST(MetricHistory, MemoryStaysBoundedUnderChurn) {
    MetricHistory history(1800s);
    std::size_t bytes_after_five_windows = 0;
    for (std::int64_t s = 0; s < 18'000; s += 3) {
        model::Snapshot snap = snapshot_at(s * 1000, 1.0);
        const std::int64_t minute = s / 60;
        for (int k = 0; k < 5; ++k) {
            char id[13];
            std::snprintf(id, sizeof id, "%06lld%06d", static_cast<long long>(minute), k);
            snap.containers.push_back(container(id, 1.0));
        }
        history.add(snap);
        if (s == 9'000 - 3) bytes_after_five_windows = history.stats().bytes;
    }
    // Newest 17997 s: buckets start at minute 270 (16200 s, the first inside 30 min) and end at 284 (raw
    // from 17097 s); ids of minutes 270..299.
    const MetricHistory::Stats stats = history.stats();
    EXPECT_EQ(stats.containers, 30u * 5u);
    EXPECT_EQ(stats.raw_samples, 301u);
    EXPECT_EQ(stats.buckets, 15u);
    EXPECT_EQ(history.query(1800s).containers.size(), 150u);
    EXPECT_LT(stats.bytes, bytes_after_five_windows * 11 / 10);
}

}  // namespace
}  // namespace cmon::sampling
