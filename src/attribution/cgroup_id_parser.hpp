// /proc/<pid>/cgroup -> the container id it belongs to. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::attribution {

// The full 64-hex container id in a /proc/<pid>/cgroup text (cgroup v1 "N:controller:/path" lines and the
// v2 "0::/path" line), or nullopt for a host process. Recognised path components:
//   <id>                                   docker/cgroupfs "/docker/<id>" (also "/docker/<id>/child"),
//                                          kubepods cgroupfs "/kubepods/.../<id>"
//   docker-<id>.scope                      docker with the systemd cgroup driver
//   libpod-<id>.scope                      podman ("/machine.slice/libpod-<id>.scope/container" too)
//   cri-containerd-<id>.scope, crio-<id>.scope, containerd-<id>.scope   CRI runtimes under systemd
// The first (outermost) id on a path wins: with docker-in-docker that is the container the host knows.
std::optional<std::string> container_id_from_cgroup(std::string_view proc_pid_cgroup_text);

}  // namespace cmon::attribution
