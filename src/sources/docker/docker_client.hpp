// Talks to the Docker Engine API over HTTP/1.1 (unix socket, TCP or TLS). Read-only by construction: the
// only request function takes a DockerRequest, which can only name allowlisted GET endpoints.
// The API version is negotiated from GET /version (the lower of the server's ApiVersion and ours) and
// negotiated again after any connection failure, so a restarted or upgraded dockerd is picked up.
// One connection per request (a unix connect costs microseconds). Thread-safe.
// Beast/Asio stay inside docker_client.cpp: this header must not include them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "sources/docker/docker_host.hpp"
#include "sources/docker/docker_request.hpp"

namespace cmon::sources {

struct DockerResponse {
    unsigned status = 0;  // HTTP status
    std::string body;
    bool ok() const { return status >= 200 && status < 300; }
};

struct DockerClientOptions {
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds read_timeout{10000};  // whole request: write + response
    std::size_t body_limit = 16u << 20;
    std::string max_api_version = "1.45";  // the newest API version we know
};

class DockerClient {
public:
    explicit DockerClient(DockerHost host, DockerClientOptions options = {});
    ~DockerClient();
    DockerClient(const DockerClient&) = delete;
    DockerClient& operator=(const DockerClient&) = delete;

    // Sends GET for the request and returns the status and body; HTTP errors (404 for a container that
    // vanished) are returned, not thrown. Throws util::Error when the daemon cannot be reached or the
    // exchange fails: "docker: GET /containers/json: connection refused (unix:///var/run/docker.sock)".
    DockerResponse get(const DockerRequest& request);

    // The negotiated API version ("1.41"), negotiating first if needed. Throws like get().
    std::string api_version();

    const DockerHost& host() const { return host_; }

private:
    struct Impl;
    std::string negotiate(const std::string& path_for_messages);
    DockerHost host_;
    DockerClientOptions options_;
    std::unique_ptr<Impl> impl_;
};

// "1.41" < "1.45": compares dotted numeric versions; junk compares as 0.
int compare_api_versions(const std::string& a, const std::string& b);

}  // namespace cmon::sources
