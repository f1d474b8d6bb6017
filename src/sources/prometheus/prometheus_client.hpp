// Talks to Prometheus' HTTP query API (/api/v1/query, /api/v1/query_range, /api/v1/series) over HTTP/1.1
// or HTTPS, GET only. Every request has one deadline for connect + exchange and passes the same timeout to
// Prometheus (`timeout=` parameter) so a slow query is abandoned on both sides; bodies have a size limit.
// One connection per request, so calls from several threads run in parallel. Beast/Asio stay in the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/prometheus/prometheus_endpoint.hpp"
#include "sources/prometheus/prometheus_response_parser.hpp"
#include "util/defaults.hpp"

namespace cmon::sources {

struct PrometheusClientOptions {
    std::chrono::milliseconds timeout = defaults::kPrometheusTimeout;  // per request: connect, send, whole answer
    std::size_t body_limit = 64u << 20;
};

class PrometheusClient {
public:
    // Loads the CA / client certificate now: a bad file is a startup error (util::Error).
    PrometheusClient(PrometheusEndpoint endpoint, PrometheusAuth auth, PrometheusClientOptions options = {});
    ~PrometheusClient();
    PrometheusClient(const PrometheusClient&) = delete;
    PrometheusClient& operator=(const PrometheusClient&) = delete;

    // Prometheus' answer, an error envelope included (bad query, timeout): check success. Throws
    // util::Error when Prometheus cannot be reached or the exchange fails:
    // "prometheus: GET /api/v1/query: connection refused (http://127.0.0.1:9090)".
    PromResponse query(std::string_view promql, std::optional<double> at_unix = std::nullopt);
    PromResponse query_range(std::string_view promql, double start_unix, double end_unix, double step_seconds);
    PromResponse series(const std::vector<std::string>& matchers, double start_unix, double end_unix);

    const PrometheusEndpoint& endpoint() const { return endpoint_; }

private:
    struct Impl;
    PromResponse get(std::string_view path, const std::string& query_string);
    PrometheusEndpoint endpoint_;
    PrometheusAuth auth_;
    PrometheusClientOptions options_;
    std::unique_ptr<Impl> impl_;
};

// application/x-www-form-urlencoded value: unreserved characters kept, everything else %XX.
std::string url_encode(std::string_view text);

}  // namespace cmon::sources
