// DOCKER_HOST parsing as the Docker CLI does it. Pure except docker_host_from_environment (getenv).
#include "sources/docker/docker_host.hpp"

#include <cstdlib>

#include "util/error.hpp"

namespace cmon::sources {

namespace {

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

std::optional<DockerHost> parse_docker_host(std::string_view endpoint, const DockerTlsSettings& tls) {
    DockerHost out;
    out.display = std::string(endpoint);
    constexpr std::string_view kUnix = "unix://";
    constexpr std::string_view kTcp = "tcp://";
    if (endpoint.starts_with(kUnix)) {
        out.socket_path = std::string(endpoint.substr(kUnix.size()));
        if (out.socket_path.empty() || out.socket_path.front() != '/') {
            return std::nullopt;
        }
        out.transport = DockerHost::Transport::unix_socket;
        return out;
    }
    std::string_view rest = endpoint;
    if (rest.starts_with(kTcp)) {
        rest.remove_prefix(kTcp.size());
    } else if (rest.find("://") != std::string_view::npos) {
        return std::nullopt;  // ssh://, npipe://, fd:// ...
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        rest = rest.substr(0, slash);  // a path after host:port is not meaningful for us
    }
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {  // [::1]:2375
        auto close = rest.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (after.starts_with(':')) {
            port = after.substr(1);
        } else if (!after.empty()) {
            return std::nullopt;
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) {
        return std::nullopt;
    }
    for (char c : port) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    out.host = std::string(host);
    out.port = port.empty() ? std::string(tls.enabled ? "2376" : "2375") : std::string(port);
    out.transport = tls.enabled ? DockerHost::Transport::tls : DockerHost::Transport::tcp;
    out.tls = tls;
    return out;
}

DockerHost docker_host_from_environment(std::string_view configured) {
    std::string endpoint(configured);
    if (endpoint.empty()) {
        endpoint = env_or_empty("DOCKER_HOST");
    }
    if (endpoint.empty()) {
        endpoint = std::string(kDefaultDockerHost);
    }
    DockerTlsSettings tls;
    // The CLI treats any non-empty value as "on" (cli/flags: os.Getenv(...) != "").
    tls.verify = !env_or_empty("DOCKER_TLS_VERIFY").empty();
    tls.enabled = tls.verify || !env_or_empty("DOCKER_TLS").empty();
    std::string cert_path = env_or_empty("DOCKER_CERT_PATH");
    if (cert_path.empty()) {
        std::string home = env_or_empty("HOME");
        cert_path = home.empty() ? std::string(".docker") : home + "/.docker";
    }
    tls.cert_dir = cert_path;
    auto host = parse_docker_host(endpoint, tls);
    if (!host) {
        throw util::Error("docker: unsupported endpoint '" + endpoint +
                          "' (use unix:///path/docker.sock or tcp://host:port)");
    }
    return *host;
}

}  // namespace cmon::sources
