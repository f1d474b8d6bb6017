// GPU process -> container: reads /proc/<pid>/cgroup (container id) and /proc/<pid>/status (NSpid) under
// HostPaths::proc, caches the answer per pid while the pid stays on the GPU, and fills
// GpuProcess::container_id / container_pid / process_exists in the draft snapshot.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "attribution/container_pid_lister.hpp"
#include "model/snapshot.hpp"
#include "sources/host_paths.hpp"

namespace cmon::attribution {

class GpuAttributor {
public:
    // `fallback` (may be empty) is asked once per tick for processes whose cgroup file cannot be read.
    explicit GpuAttributor(sources::HostPaths paths, ContainerPidLister fallback = {});

    void attribute(model::Snapshot& draft);

    std::size_t cached_pids() const { return cache_.size(); }

private:
    struct Entry {
        std::optional<std::string> container_id;
        std::optional<unsigned> container_pid;
        bool gone = false;  // /proc/<pid> vanished: keep the last answer, but re-read if the pid reappears
    };
    // nullopt when /proc/<pid>/cgroup cannot be read.
    std::optional<Entry> read(unsigned pid) const;
    void apply_fallback(model::Snapshot& draft, const std::vector<model::GpuProcess*>& unresolved) const;

    sources::HostPaths paths_;
    ContainerPidLister fallback_;
    std::unordered_map<unsigned, Entry> cache_;
};

}  // namespace cmon::attribution
