// The seam for the Docker top fallback: when /proc/<pid>/cgroup cannot be read (the monitor does not see the
// host's pid namespace, or the process is gone), GpuAttributor asks this once per tick for the host pids of
// every running container. The Docker source implements it with GET /containers/{id}/top (the "PID" column
// is in the host's namespace); attribution/ never talks to Docker itself.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cmon::attribution {

// container id (full 64-hex) -> host pids in it. Missing containers are fine; throwing util::Error is fine too
// (the attributor then leaves those processes unattributed).
using ContainerPidLister =
    std::function<std::map<std::string, std::vector<unsigned>>(const std::vector<std::string>& container_ids)>;

}  // namespace cmon::attribution
