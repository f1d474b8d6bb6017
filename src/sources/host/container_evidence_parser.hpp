// Does the monitor itself run in a container? Parsers of its own /proc/self files. Pure: no I/O.
// Used by the "auto" hostname policy: in a container the kernel's hostname is the container's, not the host's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

// /proc/self/cgroup names a container runtime's cgroup: "/docker/<id>" (v1, cgroupfs driver),
// "docker-<id>.scope" (systemd driver), containerd, kubepods, libpod (Podman). A v2 line "0::/" in a
// private cgroup namespace tells nothing, so false.
bool cgroup_names_container(std::string_view proc_self_cgroup);

// /proc/self/mountinfo has a bind mount onto /etc/hostname: Docker, Podman and the kubelet mount the
// container's hostname file there; a host does not.
bool mountinfo_has_managed_hostname(std::string_view proc_self_mountinfo);

struct ContainerEvidence {
    bool marker_file = false;              // /.dockerenv (Docker) or /run/.containerenv (Podman) exists
    std::optional<std::string> cgroup;     // the text of /proc/self/cgroup, when readable
    std::optional<std::string> mountinfo;  // the text of /proc/self/mountinfo, when readable
};

bool runs_in_container(const ContainerEvidence& evidence);

}  // namespace cmon::sources
