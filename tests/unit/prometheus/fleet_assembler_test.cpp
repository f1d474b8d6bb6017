// Fleet assembly on literal query answers: three servers (NVIDIA via dcgm-exporter names with MIG, one
// down, one AMD via the vendor-neutral cmon_gpu_* series), holders, idle holders, free GPUs, owners.
#include "sources/prometheus/fleet_assembler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sources/prometheus/fleet_queries.hpp"

namespace cmon::sources {
namespace {

constexpr double kNow = 1700000000;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;
const std::string kAnaId = std::string(64, 'a');
const std::string kBobId = std::string(64, 'b');

PromSample sample(PromLabels labels, double value, double at = kNow) {
    labels.emplace("job", "container-monitor");
    return PromSample{std::move(labels), at, value};
}

PromLabels gpu_labels(std::string name, std::string instance, std::string gpu, std::string host) {
    return {{"__name__", name}, {"instance", instance}, {"gpu", gpu},
            {"UUID", "GPU-" + host + "-" + gpu}, {"modelName", "NVIDIA A100"}, {"Hostname", host}};
}

PromLabels process_labels(std::string name, std::string instance, std::string gpu, std::string pid,
                          std::string container, std::string id) {
    return {{"__name__", std::move(name)}, {"instance", std::move(instance)}, {"gpu", std::move(gpu)},
            {"pid", std::move(pid)}, {"container", std::move(container)}, {"container_id", std::move(id)}};
}

FleetAnswers lab() {
    FleetAnswers a;
    a.at_unix = kNow;
    const std::string A = "10.0.0.1:727", B = "10.0.0.2:727", C = "10.0.0.3:727";
    a.up = {sample({{"__name__", "up"}, {"instance", A}}, 1), sample({{"__name__", "up"}, {"instance", B}}, 0),
            sample({{"__name__", "up"}, {"instance", C}}, 1)};
    a.last_data = {sample({{"instance", B}}, kNow - 3600), sample({{"instance", A}}, kNow - 1)};
    a.names = {sample({{"instance", A}, {"Hostname", "gpu-a"}}, 1), sample({{"instance", B}, {"Hostname", "gpu-b"}}, 1)};
    auto& g = a.gauges;
    g.push_back(sample({{"__name__", "cmon_host_cpu_busy_percent"}, {"instance", A}}, 42.5));
    g.push_back(sample({{"__name__", "cmon_host_memory_used_bytes"}, {"instance", A}}, 8 * kGiB));
    g.push_back(sample({{"__name__", "cmon_host_memory_total_bytes"}, {"instance", A}}, 64 * kGiB));
    // A: GPU 0 busy and held by ana (two processes), GPU 1 idle and empty, GPU 2 split in two MIG slices.
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_GPU_UTIL", A, "0", "gpu-a"), 90));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_USED", A, "0", "gpu-a"), 30000));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_TOTAL", A, "0", "gpu-a"), 40960));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_GPU_TEMP", A, "0", "gpu-a"), std::numeric_limits<double>::quiet_NaN()));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_GPU_UTIL", A, "1", "gpu-a"), 0));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_USED", A, "1", "gpu-a"), 300));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_TOTAL", A, "1", "gpu-a"), 40960));
    g.push_back(sample(gpu_labels("cmon_gpu_lost", A, "1", "gpu-a"), 0));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_USED", A, "2", "gpu-a"), 500));
    g.push_back(sample(gpu_labels("DCGM_FI_DEV_FB_TOTAL", A, "2", "gpu-a"), 81920));
    for (const char* slice : {"1", "2"}) {
        auto labels = gpu_labels("DCGM_FI_DEV_FB_USED", A, "2", "gpu-a");
        labels["GPU_I_ID"] = slice;
        g.push_back(sample(labels, slice == std::string("1") ? 9000 : 10));
        labels["__name__"] = "DCGM_FI_DEV_FB_TOTAL";
        g.push_back(sample(labels, 40000));
    }
    g.push_back(sample(process_labels("cmon_gpu_process_memory_bytes", A, "0", "100", "ana-train", kAnaId), 20 * kGiB));
    g.push_back(sample(process_labels("cmon_gpu_process_sm_percent", A, "0", "100", "ana-train", kAnaId), 60));
    g.push_back(sample(process_labels("cmon_gpu_process_idle", A, "0", "100", "ana-train", kAnaId), 0));
    g.push_back(sample(process_labels("cmon_gpu_process_memory_bytes", A, "0", "101", "ana-train", kAnaId), 1 * kGiB));
    g.push_back(sample(process_labels("cmon_gpu_process_sm_percent", A, "0", "101", "ana-train", kAnaId), 5));
    auto slice_process = process_labels("cmon_gpu_process_memory_bytes", A, "2", "102", "ana-train", kAnaId);
    slice_process["gpu_instance_id"] = "1";
    g.push_back(sample(slice_process, 8 * kGiB));
    g.push_back(sample({{"__name__", "cmon_container_info"}, {"instance", A}, {"id", "/docker/" + kAnaId},
                        {"name", "ana-train"}, {"owner", "ana"}},
                       1));
    // C: AMD through the vendor-neutral series only (no Hostname label); bob's notebook idles on GPU 0.
    auto amd = [&](std::string name, std::string gpu) {
        return PromLabels{{"__name__", name}, {"instance", C}, {"gpu", gpu},
                          {"vendor", "amd"}, {"pci", "0000:0" + gpu + ":00.0"}};
    };
    g.push_back(sample(amd("cmon_gpu_utilization_ratio", "0"), 0.0));
    g.push_back(sample(amd("cmon_gpu_memory_used_bytes", "0"), 12 * kGiB));
    g.push_back(sample(amd("cmon_gpu_memory_total_bytes", "0"), 64 * kGiB));
    g.push_back(sample(amd("cmon_gpu_utilization_ratio", "1"), 0.25));
    g.push_back(sample(amd("cmon_gpu_memory_used_bytes", "1"), 100 * kMiB));
    g.push_back(sample(amd("cmon_gpu_memory_total_bytes", "1"), 64 * kGiB));
    g.push_back(sample(process_labels("cmon_gpu_process_memory_bytes", C, "0", "7", "bob-nb", kBobId), 12 * kGiB));
    g.push_back(sample(process_labels("cmon_gpu_process_idle", C, "0", "7", "bob-nb", kBobId), 1));
    g.push_back(sample(process_labels("cmon_gpu_process_idle_since_seconds", C, "0", "7", "bob-nb", kBobId), kNow - 7200));
    g.push_back(sample({{"__name__", "cmon_source_up"}, {"instance", C}, {"source", "docker"}}, 0));
    g.push_back(sample({{"__name__", "cmon_source_up"}, {"instance", C}, {"source", "gpu"}}, 1));
    // Owners' GPU-seconds (ana has counters; bob's monitor predates them).
    a.usage = {sample({{"owner", "ana"}, {"window", "today"}, {"kind", "held"}}, 3600),
               sample({{"owner", "ana"}, {"window", "today"}, {"kind", "busy"}}, 1800),
               sample({{"owner", "ana"}, {"window", "week"}, {"kind", "held"}}, 7200),
               sample({{"owner", "ana"}, {"window", "week"}, {"kind", "idle_held"}}, std::numeric_limits<double>::quiet_NaN())};
    a.usage_answered = true;
    return a;
}

const model::FleetServer& server_named(const model::FleetSnapshot& fleet, const std::string& name) {
    for (const auto& s : fleet.servers) {
        if (s.name == name) return s;
    }
    throw std::runtime_error("no server " + name);
}

TEST(FleetAssembler, ServersAreNamedByHostnameElseInstance) {
    const auto fleet = assemble_fleet(lab(), {});
    ASSERT_EQ(fleet.servers.size(), 3u);
    EXPECT_EQ(fleet.servers[0].name, "10.0.0.3:727");  // no Hostname label: the instance
    EXPECT_EQ(fleet.servers[1].name, "gpu-a");
    EXPECT_EQ(fleet.servers[2].name, "gpu-b");
    const auto& a = server_named(fleet, "gpu-a");
    EXPECT_TRUE(a.up);
    EXPECT_EQ(a.instance, "10.0.0.1:727");
    EXPECT_EQ(a.cpu_busy_percent, 42.5);
    EXPECT_EQ(a.memory_used_bytes, static_cast<std::uint64_t>(8 * kGiB));
    EXPECT_EQ(a.memory_total_bytes, static_cast<std::uint64_t>(64 * kGiB));
}

TEST(FleetAssembler, DownServerKeepsItsNameAndLastDataTime) {
    const auto fleet = assemble_fleet(lab(), {});
    const auto& b = server_named(fleet, "gpu-b");
    EXPECT_FALSE(b.up);
    EXPECT_EQ(b.last_data_unix, kNow - 3600);
    EXPECT_FALSE(b.cpu_busy_percent);  // missing, not zero
    EXPECT_TRUE(b.gpus.empty());

    // Without the names answer a known name still applies.
    auto answers = lab();
    answers.names.clear();
    FleetAssemblyOptions options;
    options.known_names[{"container-monitor", "10.0.0.2:727"}] = "gpu-b";
    const auto again = assemble_fleet(answers, options);
    EXPECT_NO_THROW(server_named(again, "gpu-b"));
    // gpu-a is still named from its GPU series' Hostname label.
    EXPECT_NO_THROW(server_named(again, "gpu-a"));
}

TEST(FleetAssembler, MonitorGoneFromDiscoveryShowsDownFromLastData) {
    auto answers = lab();
    answers.up.erase(answers.up.begin() + 1);  // B no longer has an `up` series at all
    const auto fleet = assemble_fleet(answers, {});
    const auto& b = server_named(fleet, "gpu-b");
    EXPECT_FALSE(b.up);
    EXPECT_EQ(b.last_data_unix, kNow - 3600);
}

TEST(FleetAssembler, GpusWithHoldersAndOwners) {
    const auto fleet = assemble_fleet(lab(), {});
    const auto& a = server_named(fleet, "gpu-a");
    ASSERT_EQ(a.gpus.size(), 5u);  // 0, 1, 2 and its slices 1, 2
    const auto& g0 = a.gpus[0];
    EXPECT_EQ(g0.gpu, "0");
    EXPECT_EQ(g0.uuid, "GPU-gpu-a-0");
    EXPECT_EQ(g0.utilization_percent, 90);
    EXPECT_EQ(g0.memory_used_bytes, static_cast<std::uint64_t>(30000 * kMiB));
    EXPECT_EQ(g0.memory_total_bytes, static_cast<std::uint64_t>(40960 * kMiB));
    EXPECT_FALSE(g0.temperature_celsius);  // NaN is missing
    EXPECT_FALSE(g0.free);
    ASSERT_EQ(g0.holders.size(), 1u);  // two processes of one container
    EXPECT_EQ(g0.holders[0].container, "ana-train");
    EXPECT_EQ(g0.holders[0].owner, "ana");
    EXPECT_EQ(g0.holders[0].processes, 2u);
    EXPECT_EQ(g0.holders[0].memory_bytes, static_cast<std::uint64_t>(21 * kGiB));
    EXPECT_EQ(g0.holders[0].sm_percent, 65);
    EXPECT_FALSE(g0.holders[0].idle);
    ASSERT_EQ(a.top_containers.size(), 1u);
    EXPECT_EQ(a.top_containers[0].name, "ana-train");
    EXPECT_EQ(a.top_containers[0].gpus, 2u);  // GPU 0 and slice 2/1
    EXPECT_EQ(a.top_containers[0].gpu_memory_bytes, static_cast<std::uint64_t>(29 * kGiB));
}

TEST(FleetAssembler, MigSlicesFollowTheirParentAndAHeldSliceMakesTheParentBusy) {
    const auto fleet = assemble_fleet(lab(), {});
    const auto& a = server_named(fleet, "gpu-a");
    EXPECT_EQ(a.gpus[2].gpu, "2");
    EXPECT_FALSE(a.gpus[2].mig_instance);
    EXPECT_FALSE(a.gpus[2].free);  // slice 1 is held
    EXPECT_EQ(a.gpus[3].mig_instance, "1");
    EXPECT_FALSE(a.gpus[3].free);
    ASSERT_EQ(a.gpus[3].holders.size(), 1u);
    EXPECT_EQ(a.gpus[3].holders[0].owner, "ana");
    EXPECT_EQ(a.gpus[4].mig_instance, "2");
    EXPECT_TRUE(a.gpus[4].free);
}

TEST(FleetAssembler, VendorNeutralSeriesAndIdleHolders) {
    const auto fleet = assemble_fleet(lab(), {});
    const auto& c = server_named(fleet, "10.0.0.3:727");
    ASSERT_EQ(c.gpus.size(), 2u);
    EXPECT_EQ(c.gpus[0].vendor, "amd");
    EXPECT_EQ(c.gpus[0].uuid, "0000:00:00.0");
    EXPECT_EQ(c.gpus[1].utilization_percent, 25);
    ASSERT_EQ(c.gpus[0].holders.size(), 1u);
    const auto& bob = c.gpus[0].holders[0];
    EXPECT_EQ(bob.owner, "bob-nb");  // no cmon_container_info: the container name
    EXPECT_TRUE(bob.idle);
    EXPECT_EQ(bob.idle_since_unix, kNow - 7200);
    EXPECT_EQ(c.sources_down, std::vector<std::string>{"docker"});
}

TEST(FleetAssembler, VendorNeutralSeriesWinOverDcgmWhateverTheOrder) {
    for (bool neutral_first : {false, true}) {
        FleetAnswers a;
        a.at_unix = kNow;
        a.up = {sample({{"__name__", "up"}, {"instance", "x:1"}}, 1)};
        auto dcgm = sample(gpu_labels("DCGM_FI_DEV_GPU_UTIL", "x:1", "0", "x"), 10);
        auto neutral = sample({{"__name__", "cmon_gpu_utilization_ratio"}, {"instance", "x:1"}, {"gpu", "0"},
                               {"vendor", "nvidia"}, {"uuid", "GPU-x-0"}},
                              0.8);
        a.gauges = neutral_first ? std::vector{neutral, dcgm} : std::vector{dcgm, neutral};
        const auto fleet = assemble_fleet(a, {});
        ASSERT_EQ(fleet.servers.size(), 1u);
        ASSERT_EQ(fleet.servers[0].gpus.size(), 1u);
        EXPECT_DOUBLE_EQ(*fleet.servers[0].gpus[0].utilization_percent, 80) << neutral_first;
    }
}

TEST(FleetAssembler, FreeGpusAreEmptyAndBelowTheThresholdMostFreeMemoryFirst) {
    const auto fleet = assemble_fleet(lab(), {});
    ASSERT_EQ(fleet.free_gpus.size(), 3u);
    EXPECT_EQ(fleet.free_gpus[0].server, "10.0.0.3:727");  // 64 GiB - 100 MiB
    EXPECT_EQ(fleet.free_gpus[0].gpu, "1");
    EXPECT_EQ(fleet.free_gpus[0].memory_free_bytes, static_cast<std::uint64_t>(64 * kGiB - 100 * kMiB));
    EXPECT_EQ(fleet.free_gpus[1].server, "gpu-a");  // 40960 - 300 MiB
    EXPECT_EQ(fleet.free_gpus[1].gpu, "1");
    EXPECT_EQ(fleet.free_gpus[2].server, "gpu-a");  // slice 2/2: 40000 - 10 MiB
    EXPECT_EQ(fleet.free_gpus[2].mig_instance, "2");

    // A lower threshold: 300 MiB used is no longer free; a lost GPU never is.
    auto answers = lab();
    for (auto& s : answers.gauges) {
        if (s.labels["__name__"] == "cmon_gpu_lost") s.value = 1;
    }
    FleetAssemblyOptions options;
    options.free_gpu_memory_bytes = 200 * kMiB;
    const auto strict = assemble_fleet(answers, options);
    ASSERT_EQ(strict.free_gpus.size(), 2u);
    EXPECT_EQ(strict.free_gpus[0].server, "10.0.0.3:727");
    EXPECT_EQ(strict.free_gpus[1].mig_instance, "2");
    EXPECT_TRUE(server_named(strict, "gpu-a").gpus[1].lost);
}

TEST(FleetAssembler, OwnersHaveWindowsAndHoldings) {
    const auto fleet = assemble_fleet(lab(), {});
    EXPECT_TRUE(fleet.accounting);
    ASSERT_EQ(fleet.owners.size(), 2u);
    const auto& ana = fleet.owners[0];
    EXPECT_EQ(ana.owner, "ana");
    EXPECT_EQ(ana.today.held, 3600);
    EXPECT_EQ(ana.today.busy, 1800);
    EXPECT_FALSE(ana.today.idle_held);
    EXPECT_EQ(ana.week.held, 7200);
    EXPECT_FALSE(ana.week.idle_held);  // NaN is missing
    EXPECT_FALSE(ana.month.held);
    EXPECT_EQ(ana.holding, (std::vector<std::string>{"gpu-a/0", "gpu-a/2/1"}));
    EXPECT_TRUE(ana.idle_holding.empty());
    const auto& bob = fleet.owners[1];
    EXPECT_EQ(bob.owner, "bob-nb");
    EXPECT_FALSE(bob.today.held);
    EXPECT_EQ(bob.idle_holding, std::vector<std::string>{"10.0.0.3:727/0"});
}

TEST(FleetAssembler, NoAnswersIsAnEmptyFleetWithoutAccounting) {
    const auto fleet = assemble_fleet(FleetAnswers{}, {});
    EXPECT_TRUE(fleet.servers.empty());
    EXPECT_TRUE(fleet.free_gpus.empty());
    EXPECT_FALSE(fleet.accounting);
}

TEST(FleetAssembler, ContainerIdsLoseTheirCgroupPrefix) {
    EXPECT_EQ(container_hex_id("/docker/abc"), "abc");
    EXPECT_EQ(container_hex_id("abc"), "abc");
    EXPECT_EQ(container_hex_id(""), "");
}

TEST(FleetQueries, BoundedToTheJobAndTagged) {
    const auto q = make_fleet_queries(job_selector("cm"), {{"today", 10}, {"week", 604800}}, 86400);
    EXPECT_EQ(q.up, "up{job=\"cm\"}");
    EXPECT_NE(q.gauges.find("__name__=~\""), std::string::npos);
    EXPECT_NE(q.gauges.find("job=\"cm\""), std::string::npos);
    EXPECT_NE(q.gauges.find("DCGM_FI_DEV_FB_USED"), std::string::npos);
    EXPECT_NE(q.last_data.find("[600s:]"), std::string::npos);
    EXPECT_NE(q.last_data.find("[86400s:60s]"), std::string::npos);
    // Each window x counter once; a range under a minute is widened to 60 s.
    EXPECT_NE(q.usage.find("cmon_container_gpu_held_seconds_total{job=\"cm\"}[60s]"), std::string::npos);
    EXPECT_NE(q.usage.find("cmon_container_gpu_idle_held_seconds_total{job=\"cm\"}[604800s]"), std::string::npos);
    EXPECT_NE(q.usage.find("\"window\", \"week\""), std::string::npos);
    std::size_t terms = 0;
    for (std::size_t at = q.usage.find(" or "); at != std::string::npos; at = q.usage.find(" or ", at + 1)) ++terms;
    EXPECT_EQ(terms, 5u);
    EXPECT_EQ(job_selector("a\"b\\c"), "job=\"a\\\"b\\\\c\"");
}

TEST(FleetQueries, RecordedDaysAskTheShippedRuleAtEachDaysEnd) {
    const std::string q = recorded_days_query(job_selector("cm"), "owner", {1000, 900});
    // Two days x three kinds, each an instant lookup at the day's end, never a range over raw samples.
    EXPECT_NE(q.find("sum by (owner) (instance_owner:cmon_gpu_held_hours:increase1d{job=\"cm\"} @ 1000)"),
              std::string::npos)
        << q;
    EXPECT_NE(q.find("instance_owner:cmon_gpu_idle_held_hours:increase1d{job=\"cm\"} @ 900)"), std::string::npos) << q;
    EXPECT_NE(q.find("\"day\", \"1\""), std::string::npos);
    EXPECT_EQ(q.find("increase("), std::string::npos);
    std::size_t terms = 0;
    for (std::size_t at = q.find(" or "); at != std::string::npos; at = q.find(" or ", at + 1)) ++terms;
    EXPECT_EQ(terms, 5u);
}

TEST(FleetQueries, FirstSamplesOnlyOfMonitorsThatBeganCountingInsideTheWindow) {
    const std::string q = counted_before_first_sample_query(job_selector("cm"), "owner", 3600, 1700003600);
    EXPECT_NE(q.find("sum by (owner) (min_over_time(cmon_container_gpu_held_seconds_total{job=\"cm\"}[3600s]) and on "
                     "(job, instance) (min_over_time(cmon_accounting_start_time_seconds{job=\"cm\"}[3600s]) >= "
                     "1700000000))"),
              std::string::npos)
        << q;
    EXPECT_NE(q.find("\"kind\", \"idle_held\""), std::string::npos);
    std::size_t terms = 0;
    for (std::size_t at = q.find(" or "); at != std::string::npos; at = q.find(" or ", at + 1)) ++terms;
    EXPECT_EQ(terms, 2u);
}

TEST(FleetQueries, HostNamesFromTheInfoSeriesElseTheGpuSeries) {
    const std::string q = host_names_query(job_selector("cm"), 7200);
    const auto info = q.find("last_over_time(cmon_host_info{job=\"cm\"}[7200s])");
    const auto dcgm = q.find("last_over_time(DCGM_FI_DEV_FB_USED{job=\"cm\"}[7200s])");
    ASSERT_NE(info, std::string::npos) << q;
    ASSERT_NE(dcgm, std::string::npos) << q;
    EXPECT_LT(info, dcgm);  // `or` keeps the left side's series
    EXPECT_NE(make_fleet_queries(job_selector("cm"), {}, 86400).names.find("cmon_host_info"), std::string::npos);
}

PromSample usage_sample(std::string owner, std::string kind, std::string tag, std::string value_of_tag, double v) {
    return PromSample{{{"owner", std::move(owner)}, {"kind", std::move(kind)}, {std::move(tag), std::move(value_of_tag)}},
                      kNow, v};
}

double window_value(const UsageParts& parts, const std::string& owner, const std::string& kind,
                    const std::string& window) {
    for (const auto& s : parts.samples) {
        if (s.labels.at("owner") == owner && s.labels.at("kind") == kind && s.labels.at("window") == window) {
            return s.value;
        }
    }
    return -1;
}

TEST(FleetUsage, WholeDaysFromRecordedRulesPlusToday) {
    const std::vector<PromSample> today = {usage_sample("ana", "held", "window", "today", 1800)};
    std::vector<PromSample> days;
    for (int k = 0; k < 29; ++k) {
        days.push_back(usage_sample("ana", "held", "day", std::to_string(k), 2.0));  // GPU-hours
        if (k == 10) days.push_back(usage_sample("bob", "busy", "day", "10", 1.5));
    }
    const UsageParts parts = combine_usage(today, &days, 3600, kNow);
    EXPECT_TRUE(parts.fallback.empty());
    EXPECT_EQ(parts.recorded_windows, 2);
    EXPECT_DOUBLE_EQ(window_value(parts, "ana", "held", "today"), 1800);
    EXPECT_DOUBLE_EQ(window_value(parts, "ana", "held", "week"), 1800 + 6 * 7200);
    EXPECT_DOUBLE_EQ(window_value(parts, "ana", "held", "month"), 1800 + 29 * 7200);
    // bob held nothing today and in the week, but on day 10 (in the month).
    EXPECT_EQ(window_value(parts, "bob", "busy", "week"), -1);
    EXPECT_DOUBLE_EQ(window_value(parts, "bob", "busy", "month"), 1.5 * 3600);
}

TEST(FleetUsage, AMissingRecordedDayFallsBackToIncreaseForThatWindow) {
    const std::vector<PromSample> today = {usage_sample("ana", "held", "window", "today", 100)};
    std::vector<PromSample> days;
    for (int k = 0; k < 29; ++k) {
        if (k != 20) days.push_back(usage_sample("ana", "held", "day", std::to_string(k), 1.0));
    }
    const UsageParts parts = combine_usage(today, &days, 3600, kNow);
    EXPECT_EQ(parts.recorded_windows, 1);
    ASSERT_EQ(parts.fallback.size(), 1u);
    EXPECT_EQ(parts.fallback[0].name, "month");
    EXPECT_EQ(parts.fallback[0].seconds, 3600 + 29 * 86400LL);  // since local midnight 29 days ago
    EXPECT_DOUBLE_EQ(window_value(parts, "ana", "held", "week"), 100 + 6 * 3600);
    EXPECT_EQ(window_value(parts, "ana", "held", "month"), -1);

    // No recorded series (rules not loaded) or the query failed: both windows from increase().
    const std::vector<PromSample> none;
    for (const auto* recorded : {&none, static_cast<const std::vector<PromSample>*>(nullptr)}) {
        const UsageParts raw = combine_usage(today, recorded, 3600, kNow);
        EXPECT_EQ(raw.recorded_windows, 0);
        ASSERT_EQ(raw.fallback.size(), 2u);
        EXPECT_EQ(raw.fallback[0].seconds, 3600 + 6 * 86400LL);
        EXPECT_DOUBLE_EQ(window_value(raw, "ana", "held", "today"), 100);
        EXPECT_EQ(raw.samples.size(), 1u);
    }
}

}  // namespace
}  // namespace cmon::sources
