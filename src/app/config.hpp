// Every setting of container-monitor with its default. Defaults that a library's options struct shares
// are named once in util/defaults.hpp and used from both; the rest live only here. Parsing (flags and
// CMON_<NAME> environment variables, the flag winning) is in config_parser.cpp, the only CLI11 unit.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/defaults.hpp"

namespace cmon::app {

constexpr unsigned seconds(std::chrono::seconds value) { return static_cast<unsigned>(value.count()); }
template <class Rep, class Period>
constexpr double fractional_seconds(std::chrono::duration<Rep, Period> value) {
    return std::chrono::duration<double>(value).count();
}

enum class Command { serve, snapshot, exit_ok, fleet, report };

struct Config {
    Command command = Command::serve;

    // HTTP
    // Defaults shared with the libraries' options are named in util/defaults.hpp.
    std::string bind{defaults::kBind};
    std::uint16_t port = defaults::kPort;
    unsigned max_connections = defaults::kMaxConnections;  // kept under the open-file limit
    unsigned request_timeout_seconds = seconds(defaults::kRequestTimeout);  // slowloris
    unsigned idle_timeout_seconds = seconds(defaults::kIdleTimeout);
    unsigned write_timeout_seconds = seconds(defaults::kWriteTimeout);  // event streams too
    // Access control and TLS (docs/deployment.md, Security); all empty: open plain HTTP.
    std::string auth_token;       // Bearer / ?token= secret
    std::string auth_token_file;  // file holding the token (keeps it off the command line)
    std::string basic_auth_file;  // htpasswd-style user:hash lines (bcrypt or SHA-crypt)
    std::string tls_cert;         // PEM certificate chain; with tls_key serves HTTPS
    std::string tls_key;          // PEM private key

    // Sampling
    double interval_seconds = fractional_seconds(defaults::kInterval);     // between samples; fractions allowed
    double idle_pause_seconds = fractional_seconds(defaults::kIdlePause);  // 0 = never
    // In-memory history for /api/v1/history (nothing on disk): every sample of the last 15 min, then
    // 1-minute min/mean/max over the rest of this window (sampling::MetricHistory).
    double history_seconds = 86400;

    // Page
    std::string title{defaults::kTitle};
    std::string note;       // free text shown on the page and in /query "note"
    std::string note_file;  // re-read when it changes; wins over note

    // Where the host is (a containerized monitor points these at the host's mounts)
    std::string proc_root = "/proc";
    std::string sys_root = "/sys";
    std::string cgroup_root;  // empty: <sys-root>/fs/cgroup
    // Host name shown: auto (Docker's /info Name when the monitor runs in a container, else the kernel's),
    // kernel, docker, or a literal name. Checked by sources::parse_hostname_policy.
    std::string hostname = "auto";

    // Docker
    std::string docker_host;  // empty: DOCKER_HOST, else unix:///var/run/docker.sock
    std::vector<std::string> labels;  // container labels allowed to be shown; none by default
    // Owners (accounting, the page): this label's value (allowlisted automatically; empty: no label), else
    // the one capture group of owner_pattern on the container name (empty: no pattern), else the name.
    std::string owner_label = "owner";
    std::string owner_pattern;

    // GPUs
    std::string nvml_library{defaults::kNvmlLibrary};
    // When NVML is let go (it blocks GPU resets and MIG changes while open): never, paused, always.
    std::string nvml_release = "paused";
    // A process holding more than this with SM ~0 for this long is an idle GPU holder.
    double idle_gpu_memory_gib = static_cast<double>(defaults::kIdleGpuMemoryBytes) / (1u << 30);
    double idle_gpu_after_seconds = fractional_seconds(defaults::kIdleGpuAfter);
    bool show_cmdline = false;           // GPU processes' command lines (from /proc/<pid>/cmdline) in the APIs

    std::string log_level = "info";

    // `snapshot`
    std::string snapshot_format = "table";  // table, json, query, prometheus, accounting
    // --format accounting: GPU-seconds over a window this long, sampled every interval (a one-shot has no
    // past to count from, so it watches for a while).
    double snapshot_accounting_seconds = 10;
    bool strict = false;                    // non-zero exit when any source failed

    // `fleet` and `report`: the lab view on Prometheus' HTTP API (docs/deployment.md, "A lab")
    std::string prometheus_url;                 // http(s)://host:9090[/prefix]; Thanos, VictoriaMetrics alike
    std::string prometheus_job{defaults::kPrometheusJob};  // the scrape job of the monitors
    std::string prometheus_user;                // basic auth, with the password file
    std::string prometheus_password_file;
    std::string prometheus_bearer_file;         // "Authorization: Bearer <file>", re-read per request
    std::string prometheus_ca;                  // PEM CAs for an https Prometheus
    std::string prometheus_cert;                // client certificate (mutual TLS), with prometheus_key
    std::string prometheus_key;
    bool prometheus_insecure = false;           // skip verifying an https Prometheus' certificate
    double prometheus_timeout_seconds = fractional_seconds(defaults::kPrometheusTimeout);    // per query; slower answers become the page's banner
    unsigned prometheus_max_series = defaults::kPrometheusMaxSeries;    // per query; more is an error, not a slow page
    double fleet_refresh_seconds = 5.0;         // between refreshes while someone looks
    double free_gpu_memory_mib = static_cast<double>(defaults::kFreeGpuMemoryBytes) / (1u << 20);          // a GPU without processes and less memory used is free
    std::string report_since = "7d";            // `report` window (Prometheus duration)
    std::string report_by = "owner";            // owner, container, server
    std::string report_format = "table";        // table, csv, json
};

// Parses argv. Returns the config, or throws ConfigError with one line fit for stderr. --help and
// --version print their text to stdout and come back as Command::exit_ok.
Config parse_config(int argc, char** argv);

struct ConfigError : std::exception {
    explicit ConfigError(std::string text) : message(std::move(text)) {}
    const char* what() const noexcept override { return message.c_str(); }
    std::string message;
};

}  // namespace cmon::app
