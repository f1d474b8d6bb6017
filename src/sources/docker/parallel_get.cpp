#include "sources/docker/parallel_get.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <string>

#include "util/error.hpp"

namespace cmon::sources {

std::vector<DockerResponse> parallel_get(DockerClient& client, const std::vector<DockerRequest>& requests,
                                         unsigned max_parallel) {
    std::vector<DockerResponse> responses(requests.size());
    if (requests.empty()) return responses;
    std::vector<std::string> errors(requests.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < requests.size(); i = next++) {
            try {
                responses[i] = client.get(requests[i]);
            } catch (const util::Error& e) {
                errors[i] = e.what();  // this request only; all failing means the daemon is down (below)
            }
        }
    };
    const std::size_t workers = std::clamp<std::size_t>(max_parallel, 1, requests.size());
    std::vector<std::future<void>> running;
    running.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) running.push_back(std::async(std::launch::async, worker));
    for (auto& f : running) f.get();
    if (std::all_of(errors.begin(), errors.end(), [](const std::string& e) { return !e.empty(); })) {
        throw util::Error(errors.front());
    }
    return responses;
}

}  // namespace cmon::sources
