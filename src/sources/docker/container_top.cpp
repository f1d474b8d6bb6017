// ContainerTopLister: one bounded fan-out of GET /containers/{id}/top per call.
#include "sources/docker/container_top.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/text.hpp"

namespace cmon::sources {

std::optional<std::vector<unsigned>> parse_container_top_pids(std::string_view body) {
    auto root = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (!root.is_object()) return std::nullopt;
    auto titles = root.find("Titles");
    auto processes = root.find("Processes");
    if (titles == root.end() || !titles->is_array() || processes == root.end() || !processes->is_array()) {
        return std::nullopt;
    }
    auto column = std::find(titles->begin(), titles->end(), "PID");
    if (column == titles->end()) return std::nullopt;
    const auto index = static_cast<std::size_t>(column - titles->begin());
    std::vector<unsigned> pids;
    for (const auto& row : *processes) {
        if (!row.is_array() || row.size() <= index || !row[index].is_string()) continue;
        auto value = util::parse_u64(util::trim(row[index].get_ref<const std::string&>()));
        if (value && *value > 0 && *value <= std::numeric_limits<unsigned>::max()) {
            pids.push_back(static_cast<unsigned>(*value));
        }
    }
    return pids;
}

ContainerTopLister::ContainerTopLister(const HostPaths& paths, ContainerTopOptions options)
    : options_(options), client_(docker_host_from_environment(paths.docker_endpoint), options_.client) {}

std::map<std::string, std::vector<unsigned>> ContainerTopLister::pids(const std::vector<std::string>& container_ids) {
    std::map<std::string, std::vector<unsigned>> out;
    if (container_ids.empty()) return out;
    std::vector<std::optional<std::vector<unsigned>>> results(container_ids.size());
    std::vector<std::string> errors(container_ids.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < container_ids.size(); i = next++) {
            try {
                auto response = client_.get(DockerRequest::container_top(container_ids[i]));
                if (response.ok()) results[i] = parse_container_top_pids(response.body);
            } catch (const util::Error& e) {
                errors[i] = e.what();
            }
        }
    };
    const std::size_t workers = std::clamp<std::size_t>(options_.max_parallel, 1, container_ids.size());
    std::vector<std::future<void>> running;
    running.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) running.push_back(std::async(std::launch::async, worker));
    for (auto& f : running) f.get();
    if (std::all_of(errors.begin(), errors.end(), [](const std::string& e) { return !e.empty(); })) {
        throw util::Error(errors.front());
    }
    for (std::size_t i = 0; i < container_ids.size(); ++i) {
        if (results[i]) out.emplace(container_ids[i], std::move(*results[i]));
    }
    return out;
}

}  // namespace cmon::sources
