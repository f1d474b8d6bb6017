// Where the Docker daemon is and how to talk to it: unix socket, plain TCP or TLS, resolved the way the
// Docker CLI does from DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH
// (docker/cli opts/hosts.go and cli/flags/options.go). Parsing is pure; only the *_from_environment
// function reads the environment.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

struct DockerTlsSettings {
    bool enabled = false;            // DOCKER_TLS or DOCKER_TLS_VERIFY set
    bool verify = false;             // DOCKER_TLS_VERIFY set: check the server against ca.pem and its host name
    std::filesystem::path cert_dir;  // holds ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH, else ~/.docker)
};

struct DockerHost {
    enum class Transport { unix_socket, tcp, tls };
    Transport transport = Transport::unix_socket;
    std::string socket_path;  // unix
    std::string host;         // tcp/tls
    std::string port;         // tcp/tls
    DockerTlsSettings tls;    // tls only
    std::string display;      // as the user wrote it, for messages: "unix:///var/run/docker.sock"
};

inline constexpr std::string_view kDefaultDockerHost = "unix:///var/run/docker.sock";

// "unix:///path", "tcp://host:port" (port defaults to 2376 with TLS, 2375 without), "host:port".
// nullopt for schemes we cannot serve (ssh://, npipe://) or malformed text.
std::optional<DockerHost> parse_docker_host(std::string_view endpoint, const DockerTlsSettings& tls);

// configured (HostPaths::docker_endpoint) wins; else DOCKER_HOST; else the default socket. Throws
// util::Error with a readable message when the endpoint cannot be used.
DockerHost docker_host_from_environment(std::string_view configured);

}  // namespace cmon::sources
