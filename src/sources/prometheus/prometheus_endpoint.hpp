// Where Prometheus (or Thanos Query, VictoriaMetrics, Mimir: anything serving its HTTP query API) is, and
// how to authenticate to it, as Prometheus' own HTTP clients are configured (basic auth, a bearer token
// file re-read on every request, a CA file, a client certificate). Parsing is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

struct PrometheusEndpoint {
    bool tls = false;
    std::string host;
    std::string port;         // "9090" by default for http, "443" for https without a port
    std::string path_prefix;  // "" or "/prometheus" (Thanos/VictoriaMetrics behind a path); no trailing '/'
    std::string user;         // from http://user:password@host (prefer --prometheus-password-file)
    std::string password;
    std::string display;      // the URL without credentials, for messages and the page
};

// "http://host:9090", "https://host/prefix", "host:9090" (http). nullopt for other schemes, an empty
// host or a bad port.
std::optional<PrometheusEndpoint> parse_prometheus_url(std::string_view url);

struct PrometheusAuth {
    std::string user;                // basic auth user (overrides the URL's)
    std::string password_file;       // basic auth password, re-read per request
    std::string bearer_token_file;   // "Authorization: Bearer <file content>", re-read per request
    std::string ca_file;             // PEM CAs to verify an https server (else the system's)
    std::string cert_file;           // client certificate (mutual TLS), with key_file
    std::string key_file;
    bool insecure_skip_verify = false;
};

// "Basic base64(user:password)" (RFC 7617).
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace cmon::sources
