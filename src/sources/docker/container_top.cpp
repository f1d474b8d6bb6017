// ContainerTopLister: one bounded fan-out of GET /containers/{id}/top per call.
#include "sources/docker/container_top.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "sources/docker/parallel_get.hpp"
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
    std::vector<DockerRequest> requests;
    requests.reserve(container_ids.size());
    for (const auto& id : container_ids) requests.push_back(DockerRequest::container_top(id));
    const auto responses = parallel_get(client_, requests, options_.max_parallel);
    for (std::size_t i = 0; i < container_ids.size(); ++i) {
        if (!responses[i].ok()) continue;
        if (auto pids = parse_container_top_pids(responses[i].body)) out.emplace(container_ids[i], std::move(*pids));
    }
    return out;
}

}  // namespace cmon::sources
