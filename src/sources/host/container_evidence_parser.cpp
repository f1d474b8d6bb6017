// Container detection from the monitor's own /proc/self files. Pure: no I/O.
#include "sources/host/container_evidence_parser.hpp"

#include <array>

#include "util/text.hpp"

namespace cmon::sources {

bool cgroup_names_container(std::string_view proc_self_cgroup) {
    // Path fragments of the runtimes' cgroup layouts. "/docker." is deliberately absent: docker.service
    // is the daemon on the host, not a container.
    static constexpr std::array<std::string_view, 6> kMarkers = {"/docker/",  "/docker-", "/containerd/",
                                                                 "/kubepods", "/libpod-", "/libpod_parent"};
    for (auto line : util::split_lines(proc_self_cgroup)) {
        // "hierarchy-ID:controllers:path": the path is after the second ':'.
        auto first = line.find(':');
        auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        auto path = line.substr(second + 1);
        for (auto marker : kMarkers) {
            if (path.find(marker) != std::string_view::npos) return true;
        }
    }
    return false;
}

bool mountinfo_has_managed_hostname(std::string_view proc_self_mountinfo) {
    // "36 35 98:0 /var/lib/docker/containers/<id>/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw"
    // (proc(5)): field 5 is the mount point.
    for (auto line : util::split_lines(proc_self_mountinfo)) {
        auto fields = util::split_whitespace(line);
        if (fields.size() >= 5 && fields[4] == "/etc/hostname") return true;
    }
    return false;
}

bool runs_in_container(const ContainerEvidence& evidence) {
    return evidence.marker_file || (evidence.cgroup && cgroup_names_container(*evidence.cgroup)) ||
           (evidence.mountinfo && mountinfo_has_managed_hostname(*evidence.mountinfo));
}

}  // namespace cmon::sources
