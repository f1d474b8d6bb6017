// The Docker engine's host name (GET /info "Name"), fetched once and kept: the "auto" and "docker" hostname
// policies of HostSource read it, so a containerized monitor shows the host's name without --uts=host.
// Fetched again every refresh_every (a renamed host); while Docker does not answer, asked again after
// retry_after (the last name is kept), so a down daemon costs one connect per retry_after, not one per tick,
// and the name is back soon after the daemon is.
// The request runs on this client's own thread: name() only reads what is there (and asks for a fetch
// when one is due), so a slow or hung daemon never stretches a sample. The first fetch starts at
// construction, ahead of the first sample. Thread-safe; name() never throws.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

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
    // Waits for a request in flight to end (at most the client's timeouts).
    ~EngineNameClient();
    EngineNameClient(const EngineNameClient&) = delete;
    EngineNameClient& operator=(const EngineNameClient&) = delete;

    // The engine's name as last fetched, nullopt until Docker has answered once. Never waits for Docker:
    // when a fetch is due it is handed to the client's thread and the current value returned.
    std::optional<std::string> name();
    // A unix socket: the daemon runs on this machine, so its name is this machine's.
    bool local() const;

private:
    void run();                                  // the fetching thread
    std::optional<std::string> fetch();          // one GET /info; nullopt when Docker did not answer

    DockerClient client_;  // used by the fetching thread only
    const util::Clock& clock_;
    EngineNameOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<std::string> name_;
    std::optional<std::chrono::steady_clock::time_point> next_attempt_;  // empty: a fetch is wanted or running
    bool wanted_ = true;  // a fetch was asked for and has not started
    bool stopping_ = false;
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace cmon::sources
