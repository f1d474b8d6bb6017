// Host pids of running containers from GET /containers/{id}/top: the fallback for GPU process attribution
// when the monitor does not see the host's pid namespace (the "PID" column of `top` is in the daemon's
// namespace, which is the host's). The request is one of DockerRequest's allowlisted GETs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/docker/docker_client.hpp"
#include "sources/host_paths.hpp"

namespace cmon::sources {

// The PID column of a /containers/{id}/top body ({"Titles":[..,"PID",..],"Processes":[[..]]}).
// nullopt when the body is not that shape; rows whose PID is not a number are skipped.
std::optional<std::vector<unsigned>> parse_container_top_pids(std::string_view body);

struct ContainerTopOptions {
    unsigned max_parallel = 8;  // concurrent top requests
    DockerClientOptions client;
};

class ContainerTopLister {
public:
    // The endpoint is paths.docker_endpoint, else DOCKER_HOST, else the default socket (as ContainerSource).
    explicit ContainerTopLister(const HostPaths& paths, ContainerTopOptions options = {});

    // Asks every container (at most max_parallel at a time) and returns container id -> host pids.
    // Containers that vanished or answer badly are left out. Throws util::Error when no request got an answer
    // (the daemon is unreachable).
    std::map<std::string, std::vector<unsigned>> pids(const std::vector<std::string>& container_ids);

private:
    ContainerTopOptions options_;
    DockerClient client_;
};

}  // namespace cmon::sources
