// The host collection unit: CPU, memory, load, uptime, filesystems, network, disk, hostname, primary IPv4.
// All I/O goes through HostPaths; counters only (the sampler derives rates from two snapshots).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "sources/host/diskstats_parser.hpp"
#include "sources/host/hostname_policy.hpp"
#include "sources/host/kept_proc_file.hpp"
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

    // How many times /sys/block was listed and the primary IPv4 worked out from fib_trie (tests, benchmarks).
    std::uint64_t disk_listings() const { return disk_listings_; }
    std::uint64_t primary_ipv4_computations() const { return primary_ipv4_computations_; }
    // How many of the per-sample files are held open between samples (on procfs; none over fixture trees).
    std::size_t kept_files() const;

    // The primary IPv4 is worked out again at least this often (in samples) even when /proc/net/route
    // reads the same: an address replaced inside the same subnet leaves the route table's text unchanged.
    static constexpr unsigned kPrimaryIpv4RecheckSamples = 30;

private:
    std::string resolve_hostname();
    bool in_container();
    std::string primary_ipv4();
    DiskTotals disk_totals();

    HostPaths paths_;
    HostSourceOptions options_;
    MountTable mounts_;                 // <proc>/self/mountinfo, kept open
    std::optional<bool> in_container_;  // detected on first need; it does not change while we run

    // Read every sample; on procfs each is one kept descriptor (8 in all, with the mountinfo above 9:
    // part of app/fd_limit.hpp's reserve for one-off /proc reads). The host name on procfs comes from
    // uname() (the same namespace's name), so its file is read, and kept, only on other trees (fixtures).
    std::optional<bool> hostname_by_uname_;  // its file is on procfs: checked once
    KeptProcFile stat_, meminfo_, loadavg_, uptime_, hostname_, route_, fib_trie_, net_dev_, diskstats_;

    // fib_trie is large and changes with route: both are read, and the choice made again, only when route's
    // text changed or every kPrimaryIpv4RecheckSamples samples.
    std::string last_route_;
    const std::filesystem::path* last_route_source_ = nullptr;  // pid 1's route or our own
    std::optional<std::string> primary_ipv4_;
    unsigned samples_since_ipv4_ = 0;
    std::uint64_t primary_ipv4_computations_ = 0;
    // /sys/block is listed again only when the device names in diskstats change: a disk appears in diskstats
    // only once its /sys/block entry exists (both come from registering the block device).
    std::string disk_names_, names_now_;
    bool disks_listed_ = false;
    std::set<std::string, std::less<>> whole_disks_;
    std::uint64_t disk_listings_ = 0;
};

}  // namespace cmon::sources
