// The "docker" source: which containers run (Docker API, GET only) and what they use (their cgroup files,
// read directly: microseconds per container). Falls back to the one-shot stats API, issued concurrently,
// only when no container's cgroup is reachable (a remote daemon). Counters only: the sampler derives
// cpu_percent and rates from two snapshots.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/host_paths.hpp"
#include "sources/source.hpp"

namespace cmon::sources {

struct ContainerSourceOptions {
    std::vector<std::string> label_allowlist;  // exact keys or "prefix*"; empty: no labels exported
    // Inspect a known container again every N collects (0: once per container, plus after a restart).
    int inspect_refresh = 0;
    unsigned max_parallel_stats = 8;  // stats API fallback: concurrent requests
    DockerClientOptions client;
};

class ContainerSource final : public Source {
public:
    // The endpoint is paths.docker_endpoint, else DOCKER_HOST, else the default socket.
    // Throws util::Error when that endpoint cannot be used at all (unsupported scheme).
    explicit ContainerSource(HostPaths paths, ContainerSourceOptions options = {});

    std::string_view name() const override { return "docker"; }
    // Throws util::Error when dockerd cannot be reached; containers vanishing mid-collect are skipped.
    void collect(model::Snapshot& draft) override;

private:
    struct Known {
        DockerInspect inspect;
        int collects_since_inspect = 0;
    };

    // Inspects when new, due, or (on a local host) when the cached init pid no longer belongs to it.
    // nullptr when the container vanished.
    const Known* refresh_inspect(const std::string& id);
    bool pid_is_stale(const std::string& id, const DockerInspect& inspect) const;
    // False when the container's cgroup is not reachable from here.
    bool fill_from_cgroups(model::ContainerStats& row) const;
    void fill_from_stats_api(std::vector<model::ContainerStats>& rows);

    HostPaths paths_;
    ContainerSourceOptions options_;
    DockerClient client_;
    CgroupReader cgroups_;
    std::unordered_map<std::string, Known> known_;
    bool local_cgroups_ = false;  // the last collect found container cgroups on this host
};

}  // namespace cmon::sources
