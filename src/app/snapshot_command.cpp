#include "app/snapshot_command.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "app/fd_limit.hpp"
#include "app/source_factory.hpp"
#include "app/version.hpp"
#include "exporters/accounting_exporter.hpp"
#include "exporters/api_exporter.hpp"
#include "exporters/prometheus_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "exporters/table_exporter.hpp"
#include "util/clock.hpp"

namespace cmon::app {

namespace {

std::string render(const Config& config, const model::Snapshot& snapshot) {
    if (config.snapshot_format == "json") return exporters::to_api_json(snapshot) + "\n";
    if (config.snapshot_format == "query") return exporters::to_query_json(snapshot) + "\n";
    if (config.snapshot_format == "prometheus") {
        exporters::PrometheusOptions options;
        options.version = kVersion;
        options.hostname_label = snapshot.host.hostname;
        return exporters::to_prometheus(snapshot, options);
    }
    return exporters::to_table(snapshot);
}

}  // namespace

int run_snapshot(const Config& config) {
    // Source failures are reported once below, not logged as they happen.
    spdlog::set_level(spdlog::level::off);
    util::RealClock clock;
    auto options = sampler_options(config);
    const auto budget = descriptor_budget(0, raise_fd_limit());  // no connections: one HTTP slot left idle
    sampling::Sampler sampler(options, make_sources(config, clock, budget), make_stages(config, clock), clock);
    sampler.prime();
    std::this_thread::sleep_for(options.interval);
    auto snapshot = sampler.sample();

    std::string text;
    if (config.snapshot_format == "accounting") {
        // A one-shot has no past: it watches GPU use for --accounting-seconds, one sample per interval, and
        // counts from its first sample (the window starts there).
        sampling::GpuAccountant accountant(accountant_options(config), clock);
        accountant.add(*snapshot);
        const auto end = clock.steady_now() + std::chrono::milliseconds(
                                                  static_cast<std::int64_t>(config.snapshot_accounting_seconds * 1000));
        while (clock.steady_now() < end) {
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(options.interval,
                                                                                      end - clock.steady_now()));
            snapshot = sampler.sample();
            accountant.add(*snapshot);
        }
        text = exporters::to_accounting_table(
            accountant.report(),
            fmt::format("sampled for {:g} s every {:g} s", config.snapshot_accounting_seconds, config.interval_seconds));
    } else {
        text = render(config, *snapshot);
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);

    bool failed = false;
    for (const auto& source : snapshot->sources) {
        if (source.ok) continue;
        failed = true;
        if (config.snapshot_format != "table") std::fprintf(stderr, "container-monitor: %s\n", source.error.c_str());
    }
    return failed && config.strict ? 3 : 0;
}

}  // namespace cmon::app
