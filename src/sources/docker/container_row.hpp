// How a container's row in the snapshot is filled: its identity from the list and inspect, its usage from a
// cgroup reading (the files read here, or the daemon's reading of the same files through the stats API),
// its network counters from its namespace. The one place each of these fields is copied. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>

#include "model/snapshot.hpp"
#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/docker/docker_json_parser.hpp"

namespace cmon::sources {

// Identity, state, labels, init pid, start time and assigned GPUs; no usage yet.
model::ContainerStats row_of(const DockerContainerSummary& summary, const DockerInspect& inspect);

// CPU, memory, pids and block I/O.
void set_usage(model::ContainerStats& row, const CgroupStats& stats);

// Bytes received and sent over all the container's interfaces but loopback.
void set_network(model::ContainerStats& row, std::optional<std::uint64_t> rx_bytes,
                 std::optional<std::uint64_t> tx_bytes);

}  // namespace cmon::sources
