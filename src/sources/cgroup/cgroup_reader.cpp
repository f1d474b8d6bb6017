#include "sources/cgroup/cgroup_reader.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <system_error>
#include <vector>

#include "sources/cgroup/cgroup_parser.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::sources {

namespace {

namespace fs = std::filesystem;

bool is_dir(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
}

std::optional<std::string> read(const fs::path& dir, const char* file) { return util::read_text_file(dir / file); }

// A path from /proc/<pid>/cgroup is only meaningful relative to our own cgroup namespace root: for a process
// outside our namespace the kernel prints "/../.." prefixes, and a process at our namespace root shows "/".
// Both mean the container is not where the path says, so the caller falls back to the known docker paths.
bool usable_proc_path(std::string_view path) {
    if (path.size() < 2 || path.front() != '/') return false;
    const auto parts = util::split(path.substr(1), '/');
    return std::none_of(parts.begin(), parts.end(), [](std::string_view part) { return part == ".."; });
}

// Docker ids are hex; anything else must not be spliced into a path ("../" would escape the hierarchy).
bool plausible_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 &&
           std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// A located container directory and the text of the first file wanted there (read while locating).
struct Located {
    fs::path dir;
    std::optional<std::string> first;
};

// Reading the wanted file is the existence test, so a hit costs no extra stat(); the directory itself is
// checked only when that file is absent (a controller file the kernel does not offer).
std::optional<Located> try_dir(fs::path dir, const char* first_file) {
    if (auto text = read(dir, first_file)) return Located{std::move(dir), std::move(text)};
    if (is_dir(dir)) return Located{std::move(dir), std::nullopt};
    return std::nullopt;
}

// The container's directory inside one hierarchy: the /proc/<pid>/cgroup path first, then Docker's
// cgroupfs ("docker/<id>") and systemd ("system.slice/docker-<id>.scope") layouts.
std::optional<Located> locate(const fs::path& mount, const std::optional<std::string>& proc_path,
                              const std::string& id, const char* first_file) {
    if (mount.empty()) return std::nullopt;
    if (proc_path && usable_proc_path(*proc_path)) {
        if (auto hit = try_dir(mount / std::string_view(*proc_path).substr(1), first_file)) return hit;
    }
    if (!plausible_id(id)) return std::nullopt;
    if (auto hit = try_dir(mount / "docker" / id, first_file)) return hit;
    return try_dir(mount / "system.slice" / ("docker-" + id + ".scope"), first_file);
}

std::optional<std::uint64_t> limit_bytes(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    auto limit = parse_limit(*text);
    if (!limit || limit->unlimited) return std::nullopt;
    return limit->value;
}

// `docker stats` (cli/command/container/stats_helpers.go, calculateMemUsageUnixNoCache): usage minus inactive
// file cache when memory.stat reports it, else usage; never below zero.
void fill_memory(CgroupStats& stats, const fs::path& dir, const std::optional<std::string>& usage_text,
                 const char* inactive_key, const char* limit_file) {
    stats.memory_usage_bytes = parse_single_value(usage_text.value_or(""));
    if (stats.memory_usage_bytes) {
        if (auto stat = read(dir, "memory.stat")) {
            const std::uint64_t inactive = find_flat_keyed(*stat, inactive_key).value_or(0);
            const std::uint64_t usage = *stats.memory_usage_bytes;
            stats.memory_working_set_bytes = usage > inactive ? usage - inactive : 0;
        }
    }
    stats.memory_limit_bytes = limit_bytes(read(dir, limit_file));
}

void fill_block_io(CgroupStats& stats, const std::optional<BlockIoBytes>& io) {
    if (!io) return;
    stats.block_read_bytes_total = io->read_bytes;
    stats.block_write_bytes_total = io->write_bytes;
}

// blk-throttle accounts every bio, so its file is the primary source; the CFQ/BFQ-era recursive file is the
// fallback when throttle is missing or has no devices (runc does the same, in the other order).
std::optional<BlockIoBytes> read_v1_block_io(const Located& at) {
    const fs::path& dir = at.dir;
    std::optional<BlockIoBytes> throttle;
    if (at.first) throttle = parse_blkio_service_bytes(*at.first);
    if (throttle && throttle->devices > 0) return throttle;
    std::optional<BlockIoBytes> recursive;
    if (auto text = read(dir, "blkio.io_service_bytes_recursive")) recursive = parse_blkio_service_bytes(*text);
    if (recursive && recursive->devices > 0) return recursive;
    return throttle ? throttle : recursive;
}

void read_v2(CgroupStats& stats, const Located& at) {
    const fs::path& dir = at.dir;
    if (at.first) stats.cpu_time_ns_total = parse_cpu_stat_usage_ns(*at.first);
    fill_memory(stats, dir, read(dir, "memory.current"), "inactive_file", "memory.max");
    stats.pids = parse_single_value(read(dir, "pids.current").value_or(""));
    if (auto text = read(dir, "io.stat")) fill_block_io(stats, parse_io_stat(*text));
}

bool any_value(const CgroupStats& s) {
    return s.cpu_time_ns_total || s.memory_usage_bytes || s.memory_working_set_bytes || s.memory_limit_bytes ||
           s.pids || s.block_read_bytes_total || s.block_write_bytes_total;
}

}  // namespace

CgroupReader::CgroupReader(HostPaths paths)
    : paths_(std::move(paths)), mounts_(detect_cgroup_mounts(paths_.cgroup_root)), version_(mounts_.version) {}

CgroupStats CgroupReader::read_container(const std::string& container_id, std::optional<int> init_pid) const {
    CgroupStats stats;
    if (version_ == CgroupVersion::none) return stats;

    std::vector<ProcCgroupEntry> entries;
    if (init_pid && *init_pid > 0) {
        if (auto text = util::read_text_file(paths_.proc / std::to_string(*init_pid) / "cgroup")) {
            entries = parse_proc_cgroup(*text);
        }
    }
    auto path_of = [&](std::string_view controller) { return find_proc_cgroup_path(entries, controller); };

    if (version_ == CgroupVersion::v2) {
        if (auto at = locate(mounts_.unified, path_of(""), container_id, "cpu.stat")) read_v2(stats, *at);
        stats.found = any_value(stats);
        return stats;
    }

    if (auto at = locate(mounts_.cpuacct, path_of("cpuacct"), container_id, "cpuacct.usage")) {
        stats.cpu_time_ns_total = parse_single_value(at->first.value_or(""));
    }
    if (!stats.cpu_time_ns_total && version_ == CgroupVersion::hybrid) {
        if (auto at = locate(mounts_.unified, path_of(""), container_id, "cpu.stat"); at && at->first) {
            stats.cpu_time_ns_total = parse_cpu_stat_usage_ns(*at->first);
        }
    }
    if (auto at = locate(mounts_.memory, path_of("memory"), container_id, "memory.usage_in_bytes")) {
        fill_memory(stats, at->dir, at->first, "total_inactive_file", "memory.limit_in_bytes");
    }
    if (auto at = locate(mounts_.pids, path_of("pids"), container_id, "pids.current")) {
        stats.pids = parse_single_value(at->first.value_or(""));
    }
    if (auto at = locate(mounts_.blkio, path_of("blkio"), container_id, "blkio.throttle.io_service_bytes")) {
        fill_block_io(stats, read_v1_block_io(*at));
    }
    stats.found = any_value(stats);
    return stats;
}

}  // namespace cmon::sources
