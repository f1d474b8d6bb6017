// Wires the lab pipeline: PrometheusClient -> FleetSource -> FleetService -> the same Router and Server
// as `serve`, through the router's extra_routes seam (the monitor's own routes answer 404 here: this
// process collects nothing).
#include "app/fleet_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/access_control.hpp"
#include "app/fd_limit.hpp"
#include "app/fleet_service.hpp"
#include "app/version.hpp"
#include "exporters/usage_report_exporter.hpp"
#include "http/gzip.hpp"
#include "http/request_parsing.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sources/prometheus/duration_parser.hpp"
#include "sources/prometheus/fleet_queries.hpp"
#include "util/error.hpp"

namespace cmon::app {

namespace {

// The server wants a snapshot provider (event streams, freshness waits); the fleet has no snapshots.
class NoSnapshots : public sampling::SnapshotProvider {
public:
    model::SnapshotPtr latest() const override { return nullptr; }
    bool touch() override { return false; }
    bool paused() const override { return false; }
    void add_listener(Listener) override {}
};

http::Response json_response(int status, std::string body) {
    http::Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = std::move(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

std::optional<http::Response> fleet_route(FleetService& service, const http::Request& request, std::string_view path) {
    if (path == "/api/v1/fleet") {
        const FleetBody body = service.current();
        if (!body.json) return http::error_response(503, "the fleet has not been assembled yet");
        http::Response response;
        response.content_type = "application/json";
        response.headers.emplace_back("Cache-Control", "no-store");
        if (body.json->size() > http::Router::kGzipThreshold && http::accepts_gzip(request.accept_encoding)) {
            response.headers.emplace_back("Content-Encoding", "gzip");
            response.headers.emplace_back("Vary", "Accept-Encoding");
            response.body = http::gzip_compress(*body.json);
        } else {
            response.shared_body = std::string_view(*body.json);
            response.owner = body.json;
        }
        return response;
    }
    if (path == "/healthz") {
        const FleetBody body = service.current();
        nlohmann::json health = {{"status", body.ok ? "ok" : "degraded"}};
        if (!body.ok) health["error"] = body.json ? body.error : "the fleet has not been assembled yet";
        return json_response(body.ok ? 200 : 503, health.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    // What `serve` answers from its own collection: nothing here.
    if (path == "/api/v1/snapshot" || path == "/api/v1/history" || path == "/api/v1/events" || path == "/query" ||
        path == "/metrics") {
        return http::error_response(404, "not served by container-monitor fleet");
    }
    return std::nullopt;
}

}  // namespace

std::unique_ptr<sources::FleetSource> make_fleet_source(const Config& config) {
    const auto endpoint = sources::parse_prometheus_url(config.prometheus_url);
    if (!endpoint) {
        throw util::Error("--prometheus: '" + config.prometheus_url + "' is not an http:// or https:// URL");
    }
    sources::PrometheusAuth auth;
    auth.user = config.prometheus_user;
    auth.password_file = config.prometheus_password_file;
    auth.bearer_token_file = config.prometheus_bearer_file;
    auth.ca_file = config.prometheus_ca;
    auth.cert_file = config.prometheus_cert;
    auth.key_file = config.prometheus_key;
    auth.insecure_skip_verify = config.prometheus_insecure;
    sources::PrometheusClientOptions client_options;
    client_options.timeout = std::chrono::milliseconds(static_cast<long long>(config.prometheus_timeout_seconds * 1000));
    auto client = std::make_shared<sources::PrometheusClient>(*endpoint, auth, client_options);
    sources::FleetSourceOptions options;
    options.selector = sources::job_selector(config.prometheus_job);
    options.max_series = config.prometheus_max_series;
    options.assembly.free_gpu_memory_bytes = config.free_gpu_memory_mib * 1024 * 1024;
    return std::make_unique<sources::FleetSource>(std::move(client), options);
}

int run_fleet(const Config& config) {
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    const auto refresh = std::chrono::milliseconds(static_cast<long long>(config.fleet_refresh_seconds * 1000));
    // A page request waits at most one query timeout (plus assembly) for a fresh fleet.
    const auto wait = std::chrono::milliseconds(static_cast<long long>(config.prometheus_timeout_seconds * 1000) + 500);
    FleetService service(make_fleet_source(config), refresh, wait);
    NoSnapshots no_snapshots;

    http::RouterOptions router_options;
    router_options.title = config.title;
    router_options.version = kVersion;
    router_options.assets = http::embedded_assets();
    router_options.index_path = "/fleet.html";
    router_options.extra_routes = [&service](const http::Request& request, std::string_view path, std::string_view) {
        return fleet_route(service, request, path);
    };
    http::Router router(std::move(router_options), no_snapshots);
    http::ServerOptions server_options;
    server_options.bind = config.bind;
    server_options.port = config.port;
    server_options.read_timeout = std::chrono::seconds(config.request_timeout_seconds);
    server_options.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
    server_options.write_timeout = std::chrono::seconds(config.write_timeout_seconds);
    server_options.max_connections = descriptor_budget(config.max_connections, raise_fd_limit()).connections;
    server_options.auth = make_authenticator(config);
    server_options.tls_cert_file = config.tls_cert;
    server_options.tls_key_file = config.tls_key;
    http::Server server(server_options, router, no_snapshots);
    const std::uint16_t port = server.listen();
    spdlog::info("access control: {}", describe_access_control(server_options.auth.get()));
    spdlog::info("container-monitor {} fleet serving on {}://{}:{}/ from {} (job {}, refresh {} s)", kVersion,
                 config.tls_cert.empty() ? "http" : "https", config.bind, port, config.prometheus_url,
                 config.prometheus_job, config.fleet_refresh_seconds);
    service.start();
    server.run();
    spdlog::info("stopping");
    service.stop();
    return 0;
}

int run_report(const Config& config) {
    spdlog::set_level(spdlog::level::off);
    const auto window = sources::parse_duration_seconds(config.report_since);
    if (!window) throw util::Error("--since: '" + config.report_since + "' is not a duration like 7d");
    auto source = make_fleet_source(config);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const model::UsageReport report = source->report(config.report_by, *window, now);
    const std::string text = config.report_format == "csv"    ? exporters::to_report_csv(report)
                             : config.report_format == "json" ? exporters::to_report_json(report)
                                                              : exporters::to_report_table(report);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return 0;
}

}  // namespace cmon::app
