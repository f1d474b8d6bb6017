// The only translation unit that includes CLI11 (about 5 s to compile: keep it alone).
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

#include "app/config.hpp"
#include "app/version.hpp"
#include "attribution/owner_resolver.hpp"
#include "sources/host/hostname_policy.hpp"
#include "sources/prometheus/duration_parser.hpp"

namespace cmon::app {

namespace {

void add_options(CLI::App& cli, Config& c) {
    auto env = [](const char* name) { return std::string("CMON_") + name; };
    cli.add_option("--bind", c.bind, "Address to listen on")->envname(env("BIND"))->capture_default_str();
    cli.add_option("--port", c.port, "TCP port (727 needs root; use e.g. --port 8727 otherwise)")
        ->envname(env("PORT"))
        ->capture_default_str();
    auto* token = cli.add_option("--auth-token", c.auth_token,
                                 "Require 'Authorization: Bearer TOKEN' or ?token=TOKEN (the page) on every path "
                                 "but /healthz (prefer CMON_AUTH_TOKEN or --auth-token-file: arguments show in ps)")
                      ->envname(env("AUTH_TOKEN"));
    cli.add_option("--auth-token-file", c.auth_token_file, "File whose content is the --auth-token")
        ->envname(env("AUTH_TOKEN_FILE"))
        ->excludes(token);
    cli.add_option("--basic-auth-file", c.basic_auth_file,
                   "Require HTTP Basic auth by the users of this htpasswd file (bcrypt or SHA-crypt hashes only)")
        ->envname(env("BASIC_AUTH_FILE"));
    cli.add_option("--tls-cert", c.tls_cert, "Serve HTTPS with this PEM certificate chain (with --tls-key)")
        ->envname(env("TLS_CERT"));
    cli.add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")->envname(env("TLS_KEY"));
    cli.add_option("--max-connections", c.max_connections,
                   "Most HTTP connections at once (event streams included); more are closed at once")
        ->envname(env("MAX_CONNECTIONS"))
        ->check(CLI::Range(1u, 1000000u))
        ->capture_default_str();
    cli.add_option("--request-timeout", c.request_timeout_seconds,
                   "Seconds within which a request must arrive whole once it started")
        ->envname(env("REQUEST_TIMEOUT"))
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    cli.add_option("--idle-timeout", c.idle_timeout_seconds, "Seconds an idle keep-alive connection stays open")
        ->envname(env("IDLE_TIMEOUT"))
        ->check(CLI::Range(1u, 86400u))
        ->capture_default_str();
    cli.add_option("--write-timeout", c.write_timeout_seconds,
                   "Seconds a client may stop reading (event streams too) before it is dropped")
        ->envname(env("WRITE_TIMEOUT"))
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    cli.add_option("--interval", c.interval_seconds, "Seconds between samples (fractions allowed)")
        ->envname(env("INTERVAL"))
        ->check(CLI::Range(0.05, 3600.0))
        ->capture_default_str();
    cli.add_option("--idle-pause", c.idle_pause_seconds,
                   "Seconds without any client after which collection pauses (0 = never pause)")
        ->envname(env("IDLE_PAUSE"))
        ->check(CLI::Range(0.0, 1e7))
        ->capture_default_str();
    cli.add_option("--history", c.history_seconds, "Seconds of history kept in memory for the page's charts")
        ->envname(env("HISTORY"))
        ->check(CLI::Range(10.0, 86400.0))
        ->capture_default_str();
    cli.add_option("--title", c.title, "Page title")->envname(env("TITLE"))->capture_default_str();
    cli.add_option("--note", c.note, "Administrator's note shown on the page")->envname(env("NOTE"));
    cli.add_option("--note-file", c.note_file, "File whose text is the note (re-read when it changes)")
        ->envname(env("NOTE_FILE"));
    cli.add_option("--proc-root", c.proc_root, "Where the host's /proc is mounted")
        ->envname(env("PROC_ROOT"))
        ->capture_default_str();
    cli.add_option("--sys-root", c.sys_root, "Where the host's /sys is mounted")
        ->envname(env("SYS_ROOT"))
        ->capture_default_str();
    cli.add_option("--cgroup-root", c.cgroup_root, "Where the host's cgroup tree is (default <sys-root>/fs/cgroup)")
        ->envname(env("CGROUP_ROOT"));
    cli.add_option("--hostname", c.hostname,
                   "Host name shown: auto (Docker's name when run in a container, else the kernel's), kernel, "
                   "docker, or a literal name")
        ->envname(env("HOSTNAME"))
        ->check(CLI::Validator(
            [](const std::string& text) {
                return sources::parse_hostname_policy(text)
                           ? std::string()
                           : "'" + text +
                                 "' is not auto, kernel, docker or a host name (letters, digits, '-', '_', '.')";
            },
            "auto|kernel|docker|NAME"))
        ->capture_default_str();
    cli.add_option("--docker-host", c.docker_host,
                   "Docker endpoint: unix:///path, tcp://host:port (default: $DOCKER_HOST, else the local socket)")
        ->envname(env("DOCKER_HOST"));
    cli.add_option("--labels", c.labels, "Container labels that may be shown (comma-separated; none by default)")
        ->envname(env("LABELS"))
        ->delimiter(',');
    cli.add_option("--owner-label", c.owner_label,
                   "Container label naming its owner (allowlisted automatically; empty: none)")
        ->envname(env("OWNER_LABEL"))
        ->capture_default_str();
    cli.add_option("--owner-pattern", c.owner_pattern,
                   "Regex on the container name whose one capture group is the owner when the label is absent, "
                   "e.g. '^([a-z]+)[-_]' (default: the whole name)")
        ->envname(env("OWNER_PATTERN"))
        ->check(CLI::Validator(
            [](const std::string& text) { return attribution::OwnerResolver::pattern_error(text).value_or(""); },
            "REGEX"));
    cli.add_option("--nvml-library", c.nvml_library, "Path or name of the NVML library")
        ->envname(env("NVML_LIBRARY"))
        ->capture_default_str();
    cli.add_option("--nvml-release", c.nvml_release,
                   "When to let go of NVML, which blocks GPU resets and MIG changes while open: never, paused "
                   "(while nobody looks) or always (after every sample)")
        ->envname(env("NVML_RELEASE"))
        ->check(CLI::IsMember({"never", "paused", "always"}))
        ->capture_default_str();
    cli.add_option("--idle-gpu-memory", c.idle_gpu_memory_gib,
                   "GiB of GPU memory above which an SM-idle process counts as an idle holder")
        ->envname(env("IDLE_GPU_MEMORY"))
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cli.add_option("--idle-gpu-after", c.idle_gpu_after_seconds, "Seconds of SM ~0 before a holder is marked idle")
        ->envname(env("IDLE_GPU_AFTER"))
        ->check(CLI::Range(0.0, 1e8))
        ->capture_default_str();
    cli.add_flag("--show-cmdline", c.show_cmdline, "Show GPU processes' command lines (off: they may hold secrets)")
        ->envname(env("SHOW_CMDLINE"));
    cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error or off")
        ->envname(env("LOG_LEVEL"))
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
}

void add_prometheus_options(CLI::App& cli, Config& c) {
    cli.add_option("--prometheus", c.prometheus_url,
                   "Prometheus (or Thanos Query, VictoriaMetrics, Mimir) base URL: http(s)://host:port[/prefix]")
        ->envname("CMON_PROMETHEUS");
    cli.add_option("--prometheus-job", c.prometheus_job, "The scrape job whose targets are the monitors")
        ->envname("CMON_PROMETHEUS_JOB")
        ->capture_default_str();
    cli.add_option("--prometheus-user", c.prometheus_user, "Basic auth user (with --prometheus-password-file)")
        ->envname("CMON_PROMETHEUS_USER");
    cli.add_option("--prometheus-password-file", c.prometheus_password_file, "File holding the basic auth password")
        ->envname("CMON_PROMETHEUS_PASSWORD_FILE");
    cli.add_option("--prometheus-bearer-file", c.prometheus_bearer_file,
                   "File holding a bearer token sent as 'Authorization: Bearer' (re-read on every request)")
        ->envname("CMON_PROMETHEUS_BEARER_FILE");
    cli.add_option("--prometheus-ca", c.prometheus_ca, "PEM CA file to verify an https Prometheus")
        ->envname("CMON_PROMETHEUS_CA");
    cli.add_option("--prometheus-cert", c.prometheus_cert, "Client certificate (PEM) for mutual TLS")
        ->envname("CMON_PROMETHEUS_CERT");
    cli.add_option("--prometheus-key", c.prometheus_key, "Private key (PEM) of --prometheus-cert")
        ->envname("CMON_PROMETHEUS_KEY");
    cli.add_flag("--prometheus-insecure-skip-verify", c.prometheus_insecure,
                 "Do not verify an https Prometheus' certificate (testing only)");
    cli.add_option("--prometheus-timeout", c.prometheus_timeout_seconds, "Seconds a query may take")
        ->envname("CMON_PROMETHEUS_TIMEOUT")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str();
    cli.add_option("--prometheus-max-series", c.prometheus_max_series, "Most series one query may return")
        ->envname("CMON_PROMETHEUS_MAX_SERIES")
        ->check(CLI::Range(1u, 100000000u))
        ->capture_default_str();
}

}  // namespace

Config parse_config(int argc, char** argv) {
    Config config;
    CLI::App cli{"container-monitor: live host, container and GPU monitor for shared servers", "container-monitor"};
    cli.set_version_flag("--version", std::string("container-monitor ") + kVersion);
    cli.fallthrough();
    add_options(cli, config);
    cli.add_subcommand("serve", "Collect and serve the dashboard and the APIs (the default)")->fallthrough();
    auto* snapshot = cli.add_subcommand("snapshot", "Print one snapshot (two samples one interval apart) and exit");
    snapshot->fallthrough();
    snapshot->add_option("--format", config.snapshot_format, "table, json (the /api/v1 shape), query (legacy), prometheus, accounting (GPU-seconds per owner and "
                        "container over --accounting-seconds)")
        ->check(CLI::IsMember({"table", "json", "query", "prometheus", "accounting"}))
        ->capture_default_str();
    snapshot
        ->add_option("--accounting-seconds", config.snapshot_accounting_seconds,
                     "With --format accounting: seconds to sample GPU use for (every --interval)")
        ->check(CLI::Range(0.05, 3600.0))
        ->capture_default_str();
    snapshot->add_flag("--strict", config.strict, "Exit with status 3 when any source failed");
    auto* fleet = cli.add_subcommand("fleet", "Serve the lab's page and /api/v1/fleet from a Prometheus that "
                                              "scrapes every server's monitor");
    fleet->fallthrough();
    auto* report = cli.add_subcommand("report", "Print GPU-hours per owner, container or server from Prometheus");
    report->fallthrough();
    for (auto* sub : {fleet, report}) add_prometheus_options(*sub, config);
    fleet->add_option("--fleet-refresh", config.fleet_refresh_seconds, "Seconds between refreshes while someone looks")
        ->envname("CMON_FLEET_REFRESH")
        ->check(CLI::Range(0.5, 3600.0))
        ->capture_default_str();
    fleet->add_option("--free-gpu-memory", config.free_gpu_memory_mib,
                      "MiB of GPU memory used below which a GPU without processes counts as free")
        ->envname("CMON_FREE_GPU_MEMORY")
        ->check(CLI::Range(0.0, 1e9))
        ->capture_default_str();
    report->add_option("--since", config.report_since, "Window ending now, as Prometheus writes durations (7d, 12h, 1d12h)")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return sources::parse_duration_seconds(text) ? std::string()
                                                             : "'" + text + "' is not a duration like 7d, 12h or 90m";
            },
            "DURATION"))
        ->capture_default_str();
    report->add_option("--by", config.report_by, "owner, container or server")
        ->check(CLI::IsMember({"owner", "container", "server"}))
        ->capture_default_str();
    report->add_option("--format", config.report_format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}))
        ->capture_default_str();
    cli.require_subcommand(0, 1);
    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << cli.help();
        config.command = Command::exit_ok;
        return config;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << cli.help("", CLI::AppFormatMode::All);
        config.command = Command::exit_ok;
        return config;
    } catch (const CLI::CallForVersion&) {
        std::cout << "container-monitor " << kVersion << "\n";
        config.command = Command::exit_ok;
        return config;
    } catch (const CLI::ParseError& e) {
        std::string text = e.what();
        while (!text.empty() && (text.back() == '\n' || text.back() == '.')) text.pop_back();
        throw ConfigError(text + " (see --help)");
    }
    if (!std::isfinite(config.interval_seconds)) throw ConfigError("--interval: not a number (see --help)");
    if (config.tls_cert.empty() != config.tls_key.empty()) {
        throw ConfigError("--tls-cert and --tls-key go together: give both or neither (see --help)");
    }
    if (snapshot->parsed()) config.command = Command::snapshot;
    if (fleet->parsed() || report->parsed()) {
        config.command = fleet->parsed() ? Command::fleet : Command::report;
        if (config.prometheus_url.empty()) throw ConfigError("--prometheus URL is required (see --help)");
        if (config.prometheus_cert.empty() != config.prometheus_key.empty()) {
            throw ConfigError("--prometheus-cert and --prometheus-key go together (see --help)");
        }
        if (!config.prometheus_password_file.empty() && config.prometheus_user.empty()) {
            throw ConfigError("--prometheus-password-file needs --prometheus-user (see --help)");
        }
    }
    return config;
}

}  // namespace cmon::app
