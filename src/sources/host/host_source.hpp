// The host collection unit: CPU, memory, load, uptime, filesystems, network, disk, hostname, primary IPv4.
// All I/O goes through HostPaths; counters only (the sampler derives rates from two snapshots).
#pragma once

#include <filesystem>
#include <string_view>

#include "sources/host_paths.hpp"
#include "sources/source.hpp"

namespace cmon::sources {

class HostSource final : public Source {
public:
    // root_prefix is put in front of every mount point for statvfs: empty on the host, "/proc/1/root" or
    // "/host" when the monitor runs in a container.
    explicit HostSource(HostPaths paths, std::filesystem::path root_prefix = {});

    std::string_view name() const override { return "host"; }
    // Throws util::Error("host: cannot read <path>") when /proc/stat or /proc/meminfo cannot be read or
    // holds no usable numbers; any other missing file leaves its field empty.
    void collect(model::Snapshot& draft) override;

private:
    HostPaths paths_;
    std::filesystem::path root_prefix_;
};

}  // namespace cmon::sources
