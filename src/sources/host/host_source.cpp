// HostSource: reads the host's /proc files through HostPaths and fills draft.host with counters and gauges.
// Does I/O; all parsing is in the *_parser files.
#include "sources/host/host_source.hpp"

#include <sys/utsname.h>

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

std::string_view read_required(KeptProcFile& file) {
    auto text = file.read();
    if (!text) throw util::Error("host: cannot read " + file.source().string());
    return *text;
}

void collect_cpu(KeptProcFile& file, model::HostStats& host) {
    CpuStat stat = parse_cpu_stat(read_required(file));
    if (!stat.times) throw util::Error("host: cannot read " + file.source().string() + ": no aggregate cpu line");
    host.cpu_times = *stat.times;
    host.cpu_count = stat.cpu_count.value_or(0);
}

void collect_memory(KeptProcFile& file, model::HostStats& host) {
    MemInfo info = parse_meminfo(read_required(file));
    auto available = info.available_or_estimate();
    if (!info.total_bytes || !available) {
        throw util::Error("host: cannot read " + file.source().string() + ": no MemTotal/MemAvailable");
    }
    host.memory_total_bytes = *info.total_bytes;
    host.memory_available_bytes = std::min(*available, *info.total_bytes);
    host.memory_used_bytes = host.memory_total_bytes - host.memory_available_bytes;
    host.swap_total_bytes = info.swap_total_bytes.value_or(0);
    std::uint64_t swap_free = std::min(info.swap_free_bytes.value_or(host.swap_total_bytes), host.swap_total_bytes);
    host.swap_used_bytes = host.swap_total_bytes - swap_free;
}

// pid 1's view of /proc/net is the host's network namespace when we share the host pid namespace
// (a containerized monitor with --pid=host); otherwise our own.
std::vector<std::filesystem::path> net_file(const HostPaths& paths, const char* name) {
    return {paths.proc / "1" / "net" / name, paths.proc / "net" / name};
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
    : paths_(std::move(paths)),
      options_(std::move(options)),
      mounts_(paths_.proc / "self" / "mountinfo"),
      stat_(paths_.proc / "stat"),
      meminfo_(paths_.proc / "meminfo"),
      loadavg_(paths_.proc / "loadavg"),
      uptime_(paths_.proc / "uptime"),
      hostname_(paths_.proc / "sys" / "kernel" / "hostname"),
      route_(net_file(paths_, "route")),
      fib_trie_(net_file(paths_, "fib_trie")),
      net_dev_(net_file(paths_, "dev")),
      diskstats_(paths_.proc / "diskstats") {}

std::size_t HostSource::kept_files() const {
    std::size_t kept = 0;
    for (const KeptProcFile* file :
         {&stat_, &meminfo_, &loadavg_, &uptime_, &hostname_, &route_, &fib_trie_, &net_dev_, &diskstats_})
        kept += file->kept() ? 1 : 0;
    return kept;
}

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
    std::string kernel;
    if (!hostname_by_uname_) hostname_by_uname_ = on_procfs(hostname_.source());
    struct utsname names {};
    if (*hostname_by_uname_ && ::uname(&names) == 0) {
        // procfs answers kernel/hostname with the UTS namespace of the reader, whichever procfs mount it
        // is read through: ours, which uname() gives without the sysctl handler's page each second.
        kernel = names.nodename;
    } else {
        auto text = hostname_.read();
        kernel = text ? std::string(util::trim(*text)) : std::string();
    }
    bool container = policy.mode == HostnamePolicy::Mode::automatic && in_container();
    std::optional<std::string> engine;
    if (options_.engine_name && needs_engine_name(policy, container)) engine = options_.engine_name();
    return choose_hostname(policy, kernel, engine, container);
}

std::string HostSource::primary_ipv4() {
    static constexpr const char* kLoopback = "127.0.0.1";
    auto route = route_.read();
    if (!route) {
        last_route_.clear();
        primary_ipv4_.reset();
        return kLoopback;
    }
    if (primary_ipv4_ && *route == last_route_ && &route_.source() == last_route_source_ &&
        ++samples_since_ipv4_ < kPrimaryIpv4RecheckSamples)
        return *primary_ipv4_;
    last_route_.assign(*route);
    last_route_source_ = &route_.source();
    samples_since_ipv4_ = 0;
    ++primary_ipv4_computations_;
    auto fib_trie = fib_trie_.read();
    // Not remembered: fib_trie may be readable again next sample.
    if (!fib_trie) {
        primary_ipv4_.reset();
        return kLoopback;
    }
    auto address = choose_primary_ipv4(parse_route(last_route_), parse_fib_trie_local_addresses(*fib_trie));
    primary_ipv4_ = address ? format_ipv4(*address) : kLoopback;
    return *primary_ipv4_;
}

DiskTotals HostSource::disk_totals() {
    auto text = diskstats_.read();
    if (!text) return {};
    std::vector<DiskStatsEntry> entries = parse_diskstats(*text);
    names_now_.clear();
    for (const DiskStatsEntry& entry : entries) names_now_.append(entry.name).push_back('\n');
    if (!disks_listed_ || names_now_ != disk_names_) {
        disk_names_.swap(names_now_);
        whole_disks_ = read_whole_disk_names(paths_.sys);
        disks_listed_ = true;
        ++disk_listings_;
    }
    return sum_whole_disks(entries, whole_disks_);
}

void HostSource::collect(model::Snapshot& draft) {
    model::HostStats& host = draft.host;
    collect_cpu(stat_, host);
    collect_memory(meminfo_, host);

    auto loadavg = loadavg_.read();
    host.load = loadavg ? parse_loadavg(*loadavg).load : std::nullopt;
    auto uptime = uptime_.read();
    host.uptime_seconds = uptime ? parse_uptime(*uptime).uptime_seconds : std::nullopt;

    host.hostname = resolve_hostname();
    host.primary_ipv4 = primary_ipv4();
    host.filesystems = read_filesystems(mounts_, options_.root_prefix);

    // The model keeps these counters non-optional: an unreadable file leaves them at 0.
    NetTotals net;
    if (auto text = net_dev_.read()) net = sum_physical_interfaces(parse_net_dev(*text));
    host.network_rx.bytes_total = net.rx_bytes;
    host.network_tx.bytes_total = net.tx_bytes;
    DiskTotals disk = disk_totals();
    host.disk_read.bytes_total = disk.read_bytes;
    host.disk_write.bytes_total = disk.write_bytes;
}

}  // namespace cmon::sources
