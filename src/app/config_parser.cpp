// The only translation unit that includes CLI11 (about 5 s to compile: keep it alone).
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

#include "app/config.hpp"
#include "app/version.hpp"
#include "attribution/owner_resolver.hpp"
#include "sources/host/hostname_policy.hpp"

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
    return config;
}

}  // namespace cmon::app
