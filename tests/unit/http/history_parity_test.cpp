// /api/v1/history from the compact MetricHistory keeps the document the snapshot ring gave: for the same
// snapshots, the same series, values and rounding (it only adds fields: "bucket_ms" and `_min` siblings).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exporters/api_exporter.hpp"
#include "sampling/metric_history.hpp"

namespace cmon::http {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kT0 = 1'690'000'000'000;  // a multiple of 5 s
constexpr std::int64_t kMinute = kT0 + 20'000;   // a multiple of 60 s
static_assert(kMinute % 60'000 == 0);

// 40 samples 1 s apart: a GPU that drops out, a container that arrives late and one that leaves, GPU
// processes on two GPUs, values with at most one decimal (the ring rounds each sample before a mean).
std::vector<model::SnapshotPtr> ring() {
    std::vector<model::SnapshotPtr> out;
    for (int i = 0; i < 40; ++i) {
        auto s = std::make_shared<model::Snapshot>();
        s->sequence = static_cast<std::uint64_t>(i + 1);
        s->time = model::TimePoint(std::chrono::milliseconds(kT0 + i * 1000));
        if (i % 7 != 3) s->host.cpu_busy_percent = 0.5 * i;
        s->host.memory_used_bytes = 4096ULL * static_cast<std::uint64_t>(1000 + i * 3);
        if (i > 0) s->host.network_rx.bytes_per_second = 100.0 * i;
        s->host.disk_read.bytes_per_second = 4096.0;
        for (unsigned g = 0; g < 2; ++g) {
            if (g == 1 && i > 30) continue;
            model::GpuDevice gpu;
            gpu.index = g;
            gpu.utilization_percent = static_cast<unsigned>((i * 3 + g * 10) % 101);
            gpu.memory_used_bytes = (1ULL << 20) * static_cast<std::uint64_t>(i + 1);
            gpu.memory_total_bytes = 80ULL << 30;
            s->gpus.push_back(gpu);
        }
        for (int k = 0; k < 3; ++k) {
            if ((k == 1 && i < 12) || (k == 2 && i > 25)) continue;
            model::ContainerStats c;
            c.short_id = std::string(12, static_cast<char>('a' + k));
            c.id = c.short_id + "0000";
            c.name = "c" + std::to_string(k);
            if (k == 0) c.owner = "ana";
            if (i % 5 != 0) c.cpu_percent = 1.5 * (i + k);
            c.memory_working_set_bytes = 4096ULL * static_cast<std::uint64_t>(100 + i + k);
            s->containers.push_back(c);
            if (k != 2 || i % 2 == 0) {
                model::GpuProcess p;
                p.container_id = c.id;
                p.gpu_index = static_cast<unsigned>(k % 2);
                p.sm_percent = static_cast<unsigned>((i + k) % 50);
                if (i % 9 != 4) p.memory_used_bytes = (1ULL << 20) * static_cast<std::uint64_t>(k + 1);
                s->gpu_processes.push_back(p);
            }
        }
        out.push_back(s);
    }
    return out;
}

// The new document less what it adds.
json without_additions(json document) {
    document.erase("bucket_ms");
    auto strip = [](json& series) {
        for (auto it = series.begin(); it != series.end();) {
            const std::string key = it.key();
            it = key.ends_with("_min") ? series.erase(it) : std::next(it);
        }
    };
    strip(document["host"]);
    for (auto& gpu : document["gpus"]) strip(gpu);
    for (auto& container : document["containers"]) strip(container);
    return document;
}

TEST(HistoryParity, TheCompactHistoryServesWhatTheSnapshotRingServed) {
    const auto snapshots = ring();
    sampling::MetricHistory history(3600s);
    for (const auto& s : snapshots) history.add(s);
    for (const auto window : {3600s, 60s, 10s, 0s}) {
        for (const auto step : {0s, 1s, 5s, 60s}) {
            const json before = json::parse(exporters::to_api_history_json(snapshots, window, step));
            const json after = json::parse(exporters::to_api_history_json(history.query(window, step)));
            EXPECT_EQ(without_additions(after), before) << "window " << window.count() << " s, step " << step.count();
            EXPECT_EQ(after["bucket_ms"], 60000);
        }
    }
}

TEST(HistoryParity, MinSiblingsComeWithAggregates) {
    sampling::MetricHistory history(3600s);
    for (const auto& s : ring()) history.add(s);
    const json raw = json::parse(exporters::to_api_history_json(history.query(60s)));
    EXPECT_FALSE(raw.at("host").contains("cpu_busy_percent_min"));
    EXPECT_FALSE(raw.contains("full_resolution_since_ms"));
    const json stepped = json::parse(exporters::to_api_history_json(history.query(60s, 5s)));
    // Host CPU 0.5 x i, none at i = 3, 10, 17, 24, 31, 38: the first step holds 0, 0.5, 1.0, 2.0.
    EXPECT_EQ(stepped.at("host").at("cpu_busy_percent_min").at(0), 0.0);
    EXPECT_EQ(stepped.at("host").at("cpu_busy_percent_max").at(0), 2.0);
    EXPECT_EQ(stepped.at("gpus").at("0").at("utilization_percent_min").at(1), 15);  // i = 5..9: 15, 18, ... 27
    EXPECT_EQ(stepped.at("containers").at("aaaaaaaaaaaa").at("sm_percent_min").at(1), 5);
    EXPECT_FALSE(stepped.at("host").contains("memory_used_bytes_min"));
}

// Beyond full resolution: minute points first (with their min and max), then every sample.
TEST(HistoryParity, MinuteBucketsThenSamplesSayWhereFullResolutionStarts) {
    sampling::MetricHistory history(3600s);
    for (int i = 0; i <= 1200; ++i) {
        model::Snapshot s;
        s.sequence = static_cast<std::uint64_t>(i + 1);
        s.time = model::TimePoint(std::chrono::milliseconds(kMinute + i * 1000));
        s.host.cpu_busy_percent = i % 60;
        history.add(s);
    }
    const json h = json::parse(exporters::to_api_history_json(history.query(3600s)));
    EXPECT_EQ(h.at("full_resolution_since_ms"), kMinute + 300'000);
    ASSERT_EQ(h.at("times").size(), 5u + 901u);
    EXPECT_EQ(h.at("times").at(1), kMinute + 60'000);
    EXPECT_EQ(h.at("host").at("cpu_busy_percent").at(0), 29.5);
    EXPECT_EQ(h.at("host").at("cpu_busy_percent_min").at(0), 0.0);
    EXPECT_EQ(h.at("host").at("cpu_busy_percent_max").at(0), 59.0);
    EXPECT_EQ(h.at("host").at("cpu_busy_percent_max").at(5), 0.0);  // a sample: its own value
    EXPECT_EQ(h.at("step_ms"), 1000) << "no step: the median spacing";
}

}  // namespace
}  // namespace cmon::http
