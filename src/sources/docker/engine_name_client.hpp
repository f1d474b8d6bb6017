// The Docker engine's host name (GET /info "Name"), fetched once and kept: the "auto" and "docker" hostname
// policies of HostSource read it, so a containerized monitor shows the host's name without --uts=host.
// Fetched again every refresh_every (a renamed host); while Docker does not answer, asked again after
// retry_after (the last name is kept), so a down daemon costs one connect per retry_after, not one per tick,
// and the name is back soon after the daemon is. Thread-safe; name() never throws.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sources/docker/docker_client.hpp"
#include "util/clock.hpp"

namespace cmon::sources {

struct EngineNameOptions {
    std::chrono::seconds refresh_every{600};
    std::chrono::seconds retry_after{30};
    DockerClientOptions client;
};

class EngineNameClient {
public:
    // endpoint as HostPaths::docker_endpoint (empty: DOCKER_HOST, else the default socket). Throws
    // util::Error when the endpoint cannot be used at all. `clock` must outlive this.
    EngineNameClient(std::string_view endpoint, const util::Clock& clock, EngineNameOptions options = {});

    // The engine's name, asking Docker when due; nullopt until Docker has answered once.
    std::optional<std::string> name();
    // A unix socket: the daemon runs on this machine, so its name is this machine's.
    bool local() const;

private:
    DockerClient client_;
    const util::Clock& clock_;
    EngineNameOptions options_;
    std::mutex mutex_;
    std::optional<std::string> name_;
    std::optional<std::chrono::steady_clock::time_point> next_attempt_;  // empty: ask now
};

}  // namespace cmon::sources
