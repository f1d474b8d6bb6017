// EngineNameClient: GET /info through the allowlisted DockerClient, cached with a refresh and retry period.
#include "sources/docker/engine_name_client.hpp"

#include "sources/docker/engine_info_parser.hpp"
#include "util/error.hpp"

namespace cmon::sources {

EngineNameClient::EngineNameClient(std::string_view endpoint, const util::Clock& clock, EngineNameOptions options)
    : client_(docker_host_from_environment(endpoint), options.client), clock_(clock), options_(options) {}

bool EngineNameClient::local() const { return client_.host().transport == DockerHost::Transport::unix_socket; }

std::optional<std::string> EngineNameClient::name() {
    std::lock_guard lock(mutex_);
    auto now = clock_.steady_now();
    if (next_attempt_ && now < *next_attempt_) return name_;
    std::optional<std::string> fetched;
    try {
        auto response = client_.get(DockerRequest::info());
        if (response.ok()) fetched = parse_engine_name(response.body);
    } catch (const util::Error&) {
        // Docker unreachable: the docker source reports that in its health; keep the last name.
        fetched = std::nullopt;
    }
    bool answered = fetched.has_value();
    if (answered) name_ = std::move(fetched);
    next_attempt_ = now + (answered ? options_.refresh_every : options_.retry_after);
    return name_;
}

}  // namespace cmon::sources
