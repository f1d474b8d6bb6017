// EngineNameClient: GET /info through the allowlisted DockerClient on a thread of its own, cached with a
// refresh and retry period.
#include "sources/docker/engine_name_client.hpp"

#include <pthread.h>

#include "sources/docker/engine_info_parser.hpp"
#include "util/error.hpp"

namespace cmon::sources {

EngineNameClient::EngineNameClient(std::string_view endpoint, const util::Clock& clock, EngineNameOptions options)
    : client_(docker_host_from_environment(endpoint), options.client),
      clock_(clock),
      options_(options),
      thread_([this] {
          ::pthread_setname_np(::pthread_self(), "cmon-engine");
          run();
      }) {}

EngineNameClient::~EngineNameClient() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

bool EngineNameClient::local() const { return client_.host().transport == DockerHost::Transport::unix_socket; }

std::optional<std::string> EngineNameClient::name() {
    std::lock_guard lock(mutex_);
    if (next_attempt_ && clock_.steady_now() >= *next_attempt_) {
        next_attempt_.reset();  // in flight: not asked for again until it has ended
        wanted_ = true;
        wake_.notify_one();
    }
    return name_;
}

std::optional<std::string> EngineNameClient::fetch() {
    try {
        auto response = client_.get(DockerRequest::info());
        if (response.ok()) return parse_engine_name(response.body);
    } catch (const util::Error&) {
        // Docker unreachable: the docker source reports that in its health; the last name is kept.
    }
    return std::nullopt;
}

void EngineNameClient::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || wanted_; });
        if (stopping_) return;
        wanted_ = false;
        lock.unlock();
        std::optional<std::string> fetched = fetch();
        lock.lock();
        const bool answered = fetched.has_value();
        if (answered) name_ = std::move(fetched);
        next_attempt_ = clock_.steady_now() + (answered ? options_.refresh_every : options_.retry_after);
    }
}

}  // namespace cmon::sources
