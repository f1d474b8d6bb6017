// The settings' defaults and the libraries' option defaults are the same values (util/defaults.hpp): a
// library used on its own (tests, benchmarks, `snapshot`) behaves as the service does by default.
#include <gtest/gtest.h>

#include <chrono>

#include "app/config.hpp"
#include "app/source_factory.hpp"
#include "attribution/idle_tracker.hpp"
#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sources/gpu/gpu_source.hpp"
#include "sources/gpu/nvml/nvml_library.hpp"
#include "sources/prometheus/fleet_source.hpp"
#include "sources/prometheus/prometheus_client.hpp"

namespace cmon::app {
namespace {

using std::chrono::duration;
using std::chrono::seconds;

TEST(Defaults, ConfigAndLibraryOptionsAgree) {
    const Config config;
    const http::ServerOptions server;
    EXPECT_EQ(config.bind, server.bind);
    EXPECT_EQ(config.port, server.port);
    EXPECT_EQ(config.max_connections, server.max_connections);
    EXPECT_EQ(seconds(config.request_timeout_seconds), server.read_timeout);
    EXPECT_EQ(seconds(config.idle_timeout_seconds), server.idle_timeout);
    EXPECT_EQ(seconds(config.write_timeout_seconds), server.write_timeout);
    const http::EventHubOptions hub;
    EXPECT_EQ(hub.touch_interval, server.stream_touch_interval);
    EXPECT_EQ(hub.heartbeat_interval, server.heartbeat_interval);
    EXPECT_EQ(config.title, http::RouterOptions{}.title);

    const sampling::SamplerOptions library_sampler;
    const sampling::SamplerOptions configured_sampler = sampler_options(config);
    EXPECT_EQ(configured_sampler.interval, library_sampler.interval);
    EXPECT_EQ(configured_sampler.idle_pause, library_sampler.idle_pause);

    const attribution::IdleTrackerOptions idle;
    EXPECT_EQ(static_cast<std::uint64_t>(config.idle_gpu_memory_gib * (1u << 30)), idle.idle_memory_bytes);
    EXPECT_EQ(duration<double>(config.idle_gpu_after_seconds), duration<double>(idle.idle_after));
    EXPECT_EQ(config.nvml_library, sources::GpuSourceOptions{}.library_path);
    EXPECT_EQ(config.nvml_library, sources::NvmlLibrary::kDefaultPath);

    EXPECT_EQ(duration<double>(config.prometheus_timeout_seconds),
              duration<double>(sources::PrometheusClientOptions{}.timeout));
    const sources::FleetSourceOptions fleet;
    EXPECT_EQ(config.prometheus_max_series, fleet.max_series);
    EXPECT_EQ(sources::job_selector(config.prometheus_job), fleet.selector);
    EXPECT_EQ(config.free_gpu_memory_mib * 1024 * 1024, fleet.assembly.free_gpu_memory_bytes);
}

}  // namespace
}  // namespace cmon::app
