// The host collection unit: CPU, memory, load, uptime, filesystems, network, disk, hostname, primary IPv4.
// All I/O goes through HostPaths; counters only (the sampler derives rates from two snapshots).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sources/host/hostname_policy.hpp"
#include "sources/host/mount_table.hpp"
#include "sources/host_paths.hpp"
#include "sources/source.hpp"

namespace cmon::sources {

// The Docker engine's host name (GET /info "Name"), nullopt while Docker has not answered. Supplied by the
// app (sources/docker cannot be linked from here); it caches, so calling it every collect is cheap.
using EngineNameLookup = std::function<std::optional<std::string>()>;

struct HostSourceOptions {
    // Put in front of every mount point for statvfs: empty on the host, "/proc/1/root" or "/host" when the
    // monitor runs in a container.
    std::filesystem::path root_prefix;
    HostnamePolicy hostname;
    EngineNameLookup engine_name;  // empty: no Docker, the kernel's name (or the literal) is used
    // The monitor's own filesystem, not the host's: /.dockerenv, /run/.containerenv, proc/self/cgroup and
    // proc/self/mountinfo under it say whether the monitor runs in a container. Tests point it at fixtures.
    std::filesystem::path own_root = "/";
};

class HostSource final : public Source {
public:
    explicit HostSource(HostPaths paths, std::filesystem::path root_prefix = {});
    HostSource(HostPaths paths, HostSourceOptions options);

    std::string_view name() const override { return "host"; }
    // Throws util::Error("host: cannot read <path>") when /proc/stat or /proc/meminfo cannot be read or
    // holds no usable numbers; any other missing file leaves its field empty.
    void collect(model::Snapshot& draft) override;

private:
    std::string resolve_hostname();
    bool in_container();

    HostPaths paths_;
    HostSourceOptions options_;
    MountTable mounts_;  // <proc>/self/mountinfo, kept open
    std::optional<bool> in_container_;  // detected on first need; it does not change while we run
};

}  // namespace cmon::sources
