// HostSource: reads the host's /proc files through HostPaths and fills draft.host with counters and gauges.
// Does I/O; all parsing is in the *_parser files.
#include "sources/host/host_source.hpp"

#include <algorithm>
#include <set>
#include <system_error>
#include <utility>

#include "sources/host/container_evidence_parser.hpp"
#include "sources/host/cpu_stat_parser.hpp"
#include "sources/host/diskstats_parser.hpp"
#include "sources/host/fib_trie_parser.hpp"
#include "sources/host/filesystem_reader.hpp"
#include "sources/host/loadavg_parser.hpp"
#include "sources/host/meminfo_parser.hpp"
#include "sources/host/net_dev_parser.hpp"
#include "sources/host/primary_ipv4.hpp"
#include "sources/host/route_parser.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::sources {

namespace {

std::string read_required(const std::filesystem::path& path) {
    auto text = util::read_text_file(path);
    if (!text) throw util::Error("host: cannot read " + path.string());
    return std::move(*text);
}

void collect_cpu(const std::filesystem::path& path, model::HostStats& host) {
    CpuStat stat = parse_cpu_stat(read_required(path));
    if (!stat.times) throw util::Error("host: cannot read " + path.string() + ": no aggregate cpu line");
    host.cpu_times = *stat.times;
    host.cpu_count = stat.cpu_count.value_or(0);
}

void collect_memory(const std::filesystem::path& path, model::HostStats& host) {
    MemInfo info = parse_meminfo(read_required(path));
    auto available = info.available_or_estimate();
    if (!info.total_bytes || !available) {
        throw util::Error("host: cannot read " + path.string() + ": no MemTotal/MemAvailable");
    }
    host.memory_total_bytes = *info.total_bytes;
    host.memory_available_bytes = std::min(*available, *info.total_bytes);
    host.memory_used_bytes = host.memory_total_bytes - host.memory_available_bytes;
    host.swap_total_bytes = info.swap_total_bytes.value_or(0);
    std::uint64_t swap_free = std::min(info.swap_free_bytes.value_or(host.swap_total_bytes), host.swap_total_bytes);
    host.swap_used_bytes = host.swap_total_bytes - swap_free;
}

std::string read_hostname(const std::filesystem::path& path) {
    auto text = util::read_text_file(path);
    return text ? std::string(util::trim(*text)) : std::string();
}

// pid 1's view of /proc/net is the host's network namespace when we share the host pid namespace
// (a containerized monitor with --pid=host); otherwise our own.
std::optional<std::string> read_net_file(const HostPaths& paths, const char* name) {
    if (auto text = util::read_text_file(paths.proc / "1" / "net" / name)) return text;
    return util::read_text_file(paths.proc / "net" / name);
}

std::string read_primary_ipv4(const HostPaths& paths) {
    static constexpr const char* kLoopback = "127.0.0.1";
    auto route = read_net_file(paths, "route");
    auto fib_trie = read_net_file(paths, "fib_trie");
    if (!route || !fib_trie) return kLoopback;
    auto address = choose_primary_ipv4(parse_route(*route), parse_fib_trie_local_addresses(*fib_trie));
    return address ? format_ipv4(*address) : kLoopback;
}

// Whole disks are the <sys>/block entries (partitions never appear there) that are real devices.
// Without /sys/block no disk is known to be whole and the disk counters stay 0.
std::set<std::string, std::less<>> read_whole_disk_names(const std::filesystem::path& sys) {
    std::set<std::string, std::less<>> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(sys / "block", ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (is_counted_block_device(name)) names.insert(std::move(name));
    }
    return names;
}

HostSourceOptions with_root_prefix(std::filesystem::path root_prefix) {
    HostSourceOptions options;
    options.root_prefix = std::move(root_prefix);
    return options;
}

}  // namespace

HostSource::HostSource(HostPaths paths, std::filesystem::path root_prefix)
    : HostSource(std::move(paths), with_root_prefix(std::move(root_prefix))) {}

HostSource::HostSource(HostPaths paths, HostSourceOptions options)
    : paths_(std::move(paths)), options_(std::move(options)), mounts_(paths_.proc / "self" / "mountinfo") {}

bool HostSource::in_container() {
    if (!in_container_) {
        const auto& root = options_.own_root;
        std::error_code ec;
        ContainerEvidence evidence;
        evidence.marker_file = std::filesystem::exists(root / ".dockerenv", ec) ||
                               std::filesystem::exists(root / "run" / ".containerenv", ec);
        evidence.cgroup = util::read_text_file(root / "proc" / "self" / "cgroup");
        evidence.mountinfo = util::read_text_file(root / "proc" / "self" / "mountinfo");
        in_container_ = runs_in_container(evidence);
    }
    return *in_container_;
}

std::string HostSource::resolve_hostname() {
    const HostnamePolicy& policy = options_.hostname;
    if (policy.mode == HostnamePolicy::Mode::literal) return policy.literal;
    std::string kernel = read_hostname(paths_.proc / "sys" / "kernel" / "hostname");
    bool container = policy.mode == HostnamePolicy::Mode::automatic && in_container();
    std::optional<std::string> engine;
    if (options_.engine_name && needs_engine_name(policy, container)) engine = options_.engine_name();
    return choose_hostname(policy, kernel, engine, container);
}

void HostSource::collect(model::Snapshot& draft) {
    model::HostStats& host = draft.host;
    collect_cpu(paths_.proc / "stat", host);
    collect_memory(paths_.proc / "meminfo", host);

    auto loadavg = util::read_text_file(paths_.proc / "loadavg");
    host.load = loadavg ? parse_loadavg(*loadavg).load : std::nullopt;
    auto uptime = util::read_text_file(paths_.proc / "uptime");
    host.uptime_seconds = uptime ? parse_uptime(*uptime).uptime_seconds : std::nullopt;

    host.hostname = resolve_hostname();
    host.primary_ipv4 = read_primary_ipv4(paths_);
    host.filesystems = read_filesystems(mounts_, options_.root_prefix);

    // The model keeps these counters non-optional: an unreadable file leaves them at 0.
    NetTotals net;
    if (auto text = read_net_file(paths_, "dev")) net = sum_physical_interfaces(parse_net_dev(*text));
    host.network_rx.bytes_total = net.rx_bytes;
    host.network_tx.bytes_total = net.tx_bytes;
    DiskTotals disk;
    if (auto text = util::read_text_file(paths_.proc / "diskstats")) {
        disk = sum_whole_disks(parse_diskstats(*text), read_whole_disk_names(paths_.sys));
    }
    host.disk_read.bytes_total = disk.read_bytes;
    host.disk_write.bytes_total = disk.write_bytes;
}

}  // namespace cmon::sources
