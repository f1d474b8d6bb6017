#include "app/application.hpp"

#include <spdlog/spdlog.h>

#include "app/fd_limit.hpp"
#include "app/memory_trimmer.hpp"
#include "app/access_control.hpp"
#include "app/source_factory.hpp"
#include "app/version.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sampling/gpu_accountant.hpp"
#include "sampling/sampler.hpp"
#include "sampling/metric_history.hpp"
#include "util/clock.hpp"

namespace cmon::app {

Application::Application(Config config) : config_(std::move(config)) {}

int Application::run() {
    spdlog::set_level(spdlog::level::from_str(config_.log_level));
    util::RealClock clock;
    auto options = sampler_options(config_);
    // Before the sampler: its thread feeds the ring until sampler.stop().
    sampling::MetricHistory history(std::chrono::seconds(static_cast<std::int64_t>(config_.history_seconds)));
    // One descriptor budget, split between HTTP connections and the container files the docker source keeps.
    const std::uint64_t fd_limit = raise_fd_limit();
    const DescriptorBudget budget = descriptor_budget(config_.max_connections, fd_limit);
    sampling::Sampler sampler(options, make_sources(config_, clock, budget), make_stages(config_, clock), clock);
    sampler.add_listener([&history](const model::SnapshotPtr& snapshot) { history.add(snapshot); });
    sampling::GpuAccountant accountant(accountant_options(config_), clock);
    sampler.add_listener([&accountant](const model::SnapshotPtr& snapshot) { accountant.add(*snapshot); });

    http::RouterOptions router_options;
    router_options.title = config_.title;
    router_options.version = kVersion;
    router_options.assets = http::embedded_assets();
    http::Router router(std::move(router_options), sampler, &history, &accountant);
    http::ServerOptions server_options;
    server_options.bind = config_.bind;
    server_options.port = config_.port;
    server_options.fresh_wait = options.interval + std::chrono::milliseconds(500);
    server_options.idle_pause = options.idle_pause;
    server_options.read_timeout = std::chrono::seconds(config_.request_timeout_seconds);
    server_options.idle_timeout = std::chrono::seconds(config_.idle_timeout_seconds);
    server_options.write_timeout = std::chrono::seconds(config_.write_timeout_seconds);
    server_options.max_connections = budget.connections;
    if (server_options.max_connections < config_.max_connections) {
        spdlog::warn("--max-connections {} lowered to {}: the open-file limit is {} (raise it, e.g. LimitNOFILE=)",
                     config_.max_connections, server_options.max_connections, fd_limit);
    }
    server_options.auth = make_authenticator(config_);  // before listening: a bad file stops the start
    server_options.tls_cert_file = config_.tls_cert;
    server_options.tls_key_file = config_.tls_key;
    http::Server server(server_options, router, sampler);
    std::uint16_t port = server.listen();
    spdlog::info("access control: {}", describe_access_control(server_options.auth.get()));
    spdlog::info("container-monitor {} serving on {}://{}:{}/ (sample every {} s, pause after {} s idle)", kVersion,
                 config_.tls_cert.empty() ? "http" : "https", config_.bind, port, config_.interval_seconds,
                 config_.idle_pause_seconds);
    MemoryTrimmer trimmer([&server] { return server.accepted_connections(); });
    sampler.add_listener([&trimmer](const model::SnapshotPtr&) { trimmer.step(); });
    // Stops the sampler (its listeners use the trimmer and the server) before either goes, also when
    // server.run() throws.
    struct StopSampler {
        sampling::Sampler& sampler;
        ~StopSampler() { sampler.stop(); }
    } stop_sampler{sampler};
    sampler.start();
    server.run();
    spdlog::info("stopping");
    sampler.stop();
    return 0;
}

}  // namespace cmon::app
