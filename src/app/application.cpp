#include "app/application.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

#include "app/note_source.hpp"
#include "app/version.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sampling/sampler.hpp"
#include "sources/host/host_source.hpp"
#include "util/clock.hpp"

namespace cmon::app {

namespace {

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

sources::HostPaths host_paths(const Config& config) {
    sources::HostPaths paths;
    paths.proc = config.proc_root;
    paths.sys = config.sys_root;
    paths.cgroup_root = config.cgroup_root.empty() ? paths.sys / "fs" / "cgroup" : config.cgroup_root;
    paths.docker_endpoint = config.docker_host;
    return paths;
}

std::vector<std::unique_ptr<sources::Source>> make_sources(const Config& config) {
    auto paths = host_paths(config);
    std::vector<std::unique_ptr<sources::Source>> list;
    list.push_back(std::make_unique<sources::HostSource>(paths));
    if (!config.note.empty() || !config.note_file.empty())
        list.push_back(std::make_unique<NoteSource>(config.note, config.note_file));
    return list;
}

}  // namespace

Application::Application(Config config) : config_(std::move(config)) {}

int Application::run() {
    spdlog::set_level(spdlog::level::from_str(config_.log_level));
    util::RealClock clock;
    sampling::SamplerOptions sampler_options;
    sampler_options.interval = to_ms(config_.interval_seconds);
    sampler_options.idle_pause = to_ms(config_.idle_pause_seconds);
    sampling::Sampler sampler(sampler_options, make_sources(config_), clock);

    http::Router router(http::RouterOptions{config_.title}, sampler);
    http::ServerOptions server_options;
    server_options.bind = config_.bind;
    server_options.port = config_.port;
    server_options.fresh_wait = sampler_options.interval + std::chrono::milliseconds(500);
    http::Server server(server_options, router, sampler);
    std::uint16_t port = server.listen();
    spdlog::info("container-monitor {} serving on http://{}:{}/ (sample every {} s, pause after {} s idle)", kVersion,
                 config_.bind, port, config_.interval_seconds, config_.idle_pause_seconds);
    sampler.start();
    server.run();
    spdlog::info("stopping");
    sampler.stop();
    return 0;
}

}  // namespace cmon::app
