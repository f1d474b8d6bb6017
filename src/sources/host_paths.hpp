// Where the host's kernel interfaces live. The only place "/proc" and "/sys" are written: tests point these
// at tests/fixtures/..., a containerized monitor at /host/proc and friends.
#pragma once

#include <filesystem>
#include <string>

namespace cmon::sources {

struct HostPaths {
    std::filesystem::path proc = "/proc";
    std::filesystem::path sys = "/sys";
    std::filesystem::path cgroup_root = "/sys/fs/cgroup";
    std::string docker_endpoint;  // empty: DOCKER_HOST or unix:///var/run/docker.sock
};

}  // namespace cmon::sources
