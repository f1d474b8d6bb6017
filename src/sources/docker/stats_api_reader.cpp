#include "sources/docker/stats_api_reader.hpp"

#include "sources/docker/container_row.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/docker/parallel_get.hpp"

namespace cmon::sources {

namespace {

// The stats API reports the daemon's own reading of the container's cgroup files.
CgroupStats cgroup_stats_of(const DockerStats& stats) {
    CgroupStats out;
    out.cpu_time_ns_total = stats.cpu_time_ns_total;
    out.memory_usage_bytes = stats.memory_usage_bytes;
    out.memory_working_set_bytes = stats.memory_working_set_bytes;
    out.memory_limit_bytes = stats.memory_limit_bytes;
    out.pids = stats.pids;
    out.block_read_bytes_total = stats.block_read_bytes;
    out.block_write_bytes_total = stats.block_write_bytes;
    out.found = true;
    return out;
}

}  // namespace

void read_stats_api(DockerClient& client, std::vector<model::ContainerStats>& rows, unsigned max_parallel) {
    std::vector<DockerRequest> requests;
    requests.reserve(rows.size());
    for (const auto& row : rows) requests.push_back(DockerRequest::container_stats(row.id));
    const auto responses = parallel_get(client, requests, max_parallel);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!responses[i].ok()) continue;
        const auto stats = parse_container_stats(responses[i].body);
        if (!stats) continue;
        set_usage(rows[i], cgroup_stats_of(*stats));
        set_network(rows[i], stats->network_rx_bytes, stats->network_tx_bytes);
    }
}

}  // namespace cmon::sources
