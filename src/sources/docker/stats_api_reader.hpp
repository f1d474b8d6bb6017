// Container usage from the daemon's one-shot stats API (GET /containers/{id}/stats?stream=false), issued
// concurrently: the fallback for a daemon whose containers' cgroups this host cannot see (a remote daemon).
// Each request costs the daemon a cgroup read and a JSON encoding, so a local source never uses it.
#pragma once

#include <vector>

#include "model/snapshot.hpp"
#include "sources/docker/docker_client.hpp"

namespace cmon::sources {

// Fills the usage and network fields of each row from its container's stats, at most max_parallel requests
// at a time. A container that vanished or answered badly keeps its row without usage. Throws util::Error
// when no request got an answer (the daemon is unreachable).
void read_stats_api(DockerClient& client, std::vector<model::ContainerStats>& rows, unsigned max_parallel);

}  // namespace cmon::sources
