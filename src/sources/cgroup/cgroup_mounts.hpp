// Finds which cgroup version the host runs and where each controller we read is mounted under
// HostPaths::cgroup_root. Does filesystem I/O (stat and directory listing), once per CgroupReader.
#pragma once

#include <filesystem>

namespace cmon::sources {

enum class CgroupVersion { v1, v2, hybrid, none };

struct CgroupMounts {
    CgroupVersion version = CgroupVersion::none;
    // Empty path: not mounted. `unified` is the v2 hierarchy: cgroup_root itself on v2, cgroup_root/unified
    // on hybrid, where it carries no controllers but every cgroup still has cpu.stat with usage_usec
    // (cgroup-v2.rst: "This file exists whether the controller is enabled or not").
    std::filesystem::path unified;
    // v1 hierarchies; co-mounted controllers ("cpu,cpuacct") share one directory.
    std::filesystem::path cpuacct;
    std::filesystem::path cpu;  // v1 CFS quota and period (often co-mounted with cpuacct)
    std::filesystem::path memory;
    std::filesystem::path blkio;
    std::filesystem::path pids;
};

// v2: cgroup.controllers at the root. v1: one directory per (group of) controller(s), named after them.
// Hybrid: v1 plus a v2 hierarchy at "unified". none: nothing recognisable (not mounted, or not Linux).
CgroupMounts detect_cgroup_mounts(const std::filesystem::path& cgroup_root);

}  // namespace cmon::sources
