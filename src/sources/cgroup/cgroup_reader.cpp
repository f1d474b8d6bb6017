#include "sources/cgroup/cgroup_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
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

// A located container directory and its first wanted file, opened while locating.
struct Located {
    fs::path dir;
    KernelFile first;
};

// Opening the wanted file is the existence test, so a hit costs no extra stat(); the directory itself is
// checked only when that file is absent (a controller file the kernel does not offer).
std::optional<Located> try_dir(fs::path dir, const char* first_file) {
    if (auto file = KernelFile::open(dir / first_file)) return Located{std::move(dir), std::move(file)};
    if (is_dir(dir)) return Located{std::move(dir), KernelFile{}};
    return std::nullopt;
}

// The container's directory inside one hierarchy: the /proc/<pid>/cgroup path first, then Docker's
// cgroupfs ("docker/<id>") and systemd ("system.slice/docker-<id>.scope") layouts.
std::optional<Located> locate(const fs::path& mount, const std::optional<std::string>& proc_path, const std::string& id,
                              const char* first_file) {
    if (mount.empty()) return std::nullopt;
    if (proc_path && usable_proc_path(*proc_path)) {
        if (auto hit = try_dir(mount / std::string_view(*proc_path).substr(1), first_file)) return hit;
    }
    if (!plausible_id(id)) return std::nullopt;
    if (auto hit = try_dir(mount / "docker" / id, first_file)) return hit;
    return try_dir(mount / "system.slice" / ("docker-" + id + ".scope"), first_file);
}

std::optional<std::uint64_t> limit_bytes(std::optional<std::string_view> text) {
    if (!text) return std::nullopt;
    auto limit = parse_limit(*text);
    if (!limit || limit->unlimited) return std::nullopt;
    return limit->value;
}

std::optional<std::uint64_t> limit_value(std::optional<std::uint64_t> bytes) {
    if (!bytes || *bytes >= kUnlimitedThreshold) return std::nullopt;
    return bytes;
}

// v1 memory.stat line: the smaller of this cgroup's memory.limit_in_bytes and its ancestors'.
constexpr const char* kStatLimitKey = "hierarchical_memory_limit";

// v1: memory.stat is read every sample anyway; when its hierarchical_memory_limit equals
// memory.limit_in_bytes now (no smaller limit above the container, as under Docker's own parents, limited
// or unlimited), the limit file is closed and the limit is taken from memory.stat: one read fewer per
// sample. When they differ (a limited --cgroup-parent), the limit file is kept so the value stays the
// container's own limit, as `docker stats` shows it.
bool limit_is_in_stat(const KernelFile& stat, const KernelFile& limit, std::string& buffer) {
    if (!stat || !limit) return false;
    auto stat_text = stat.read(buffer);
    if (!stat_text) return false;
    auto in_stat = find_flat_keyed(*stat_text, kStatLimitKey);
    if (!in_stat) return false;
    auto limit_text = limit.read(buffer);
    return limit_text && parse_single_value(*limit_text) == in_stat;
}

void fill_block_io(CgroupStats& stats, const std::optional<BlockIoBytes>& io) {
    if (!io) return;
    stats.block_read_bytes_total = io->read_bytes;
    stats.block_write_bytes_total = io->write_bytes;
}

// What CgroupHandle keeps of a memory.stat text to tell whether the next one reads the same.
std::pair<std::size_t, std::size_t> text_key(std::string_view text) {
    return {text.size(), std::hash<std::string_view>{}(text)};
}

bool any_value(const CgroupStats& s) {
    return s.cpu_time_ns_total || s.memory_usage_bytes || s.memory_working_set_bytes || s.memory_limit_bytes ||
           s.pids || s.block_read_bytes_total || s.block_write_bytes_total;
}

}  // namespace

std::size_t CgroupHandle::count_open_files() const {
    std::size_t n = 0;
    for (const KernelFile* f : {&cpu_, &memory_usage_, &memory_stat_, &memory_limit_, &pids_, &io_, &blkio_recursive_,
                                &cpu_split_, &memory_events_, &memory_failcnt_, &swap_, &cpu_quota_, &cpu_period_}) {
        n += *f ? 1 : 0;
    }
    return n;
}

CgroupHandle::Round CgroupHandle::plan(TreeState tree) const {
    if (!idle_ || !last_complete_.found || whole_next_) return Round::complete;
    if (tree.cpu) {
        if (reads_ % kSteadyCompleteEvery == 0) return Round::complete;
        return (memory_pending_ || !tree.memory) && secondary_due() ? Round::memory : Round::none;
    }
    return secondary_due() ? Round::complete : Round::cpu_only;
}

void CgroupHandle::queue(KernelFileBatch& batch, TreeState tree) {
    const std::array<const KernelFile*, kSlots> files{
        &cpu_,      &memory_usage_,  &memory_stat_,    &memory_limit_, &pids_,      &io_,
        &cpu_split_, &memory_events_, &memory_failcnt_, &swap_,         &cpu_quota_, &cpu_period_};
    const Round round = plan(tree);
    queued_round_ = round;
    // The parent's memory moved: this container's may have, to be read at its next memory round.
    if (tree.cpu && !tree.memory) memory_pending_ = true;
    const bool with_secondary = secondary_due();
    for (std::size_t slot = 0; slot < kSlots; ++slot) {
        bool wanted = false;
        switch (round) {
            case Round::complete: wanted = with_secondary || !secondary(slot); break;
            case Round::cpu_only: wanted = slot == kCpu; break;
            case Round::memory: wanted = memory_round(slot); break;
            case Round::none: break;
        }
        wanted = wanted && *files[slot];
        tickets_[slot] = wanted ? std::optional(batch.add(*files[slot])) : std::nullopt;
    }
}

CgroupStats CgroupHandle::read(const KernelFileBatch* batch) {
    CgroupStats stats;
    bool gone = false;
    const Round round = queued_round();
    queued_round_.reset();
    const bool with_secondary = round == Round::complete && secondary_due();
    whole_next_ = false;
    if (round == Round::memory || round == Round::complete) memory_pending_ = false;
    ++reads_;
    repeated_ = false;
    if (round == Round::none) {  // a steady tree: nothing under it moved
        repeated_ = true;
        return last_complete_;
    }
    // An open file that cannot be read any more: its cgroup was removed.
    auto text = [&](const KernelFile& file, std::size_t slot) -> std::optional<std::string_view> {
        if (!file) return std::nullopt;
        const auto* ticket = slot < kSlots && tickets_[slot] ? &*tickets_[slot] : nullptr;
        auto got =
            batch != nullptr && ticket != nullptr && batch->holds(*ticket) ? batch->text(*ticket) : file.read(buffer_);
        gone = gone || !got;
        return got;
    };
    bool cpu_moved = false;
    if (round == Round::memory && memory_stat_) {
        // The parent's memory moved, but this container's memory.stat reads as at its last read: nothing of
        // its memory moved (its usage is charged pages, which memory.stat counts) and none of its pages was
        // written back (dirty and writeback counts).
        const auto stat = text(memory_stat_, kMemoryStat);
        if (stat && last_stat_key_ == text_key(*stat)) {
            repeated_ = true;
            return last_complete_;
        }
    }
    if (round == Round::memory) {  // the tree's CPU time did not move: nor did this container's
        stats.cpu_time_ns_total = last_complete_.cpu_time_ns_total;
        stats.cpu_user_ns_total = last_complete_.cpu_user_ns_total;
        stats.cpu_system_ns_total = last_complete_.cpu_system_ns_total;
    } else {
        if (auto t = text(cpu_, kCpu)) {
            stats.cpu_time_ns_total = cpu_is_cpu_stat_ ? parse_cpu_stat_usage_ns(*t) : parse_single_value(*t);
            if (cpu_is_cpu_stat_) {
                const CpuUserSystem split = parse_cpu_stat_user_system_ns(*t);
                stats.cpu_user_ns_total = split.user_ns;
                stats.cpu_system_ns_total = split.system_ns;
            }
        }
        cpu_moved = !stats.cpu_time_ns_total || stats.cpu_time_ns_total != last_cpu_;
        last_cpu_ = stats.cpu_time_ns_total;
        if (round == Round::cpu_only && !gone && !cpu_moved) {  // still idle: nothing else moved either
            repeated_ = true;
            return last_complete_;
        }
    }
    last_stat_key_.reset();  // this read replaces last_complete_: its memory.stat is what is kept below
    // Woken (or due): the files not queued for this round are read now, one pread each.
    // `docker stats` (cli/command/container/stats_helpers.go, calculateMemUsageUnixNoCache): usage minus
    // inactive file cache when memory.stat reports it, else usage; never below zero.
    if (auto t = text(memory_usage_, kMemoryUsage)) stats.memory_usage_bytes = parse_single_value(*t);
    if (stats.memory_usage_bytes || limit_in_stat_) {
        if (auto t = text(memory_stat_, kMemoryStat)) {
            // Only an idle container has memory rounds: a busy one's text is not worth hashing.
            if (!cpu_moved) last_stat_key_ = text_key(*t);
            if (stats.memory_usage_bytes) {
                const std::uint64_t inactive = find_flat_keyed(*t, inactive_key_).value_or(0);
                const std::uint64_t usage = *stats.memory_usage_bytes;
                stats.memory_working_set_bytes = usage > inactive ? usage - inactive : 0;
            }
            if (limit_in_stat_) stats.memory_limit_bytes = limit_value(find_flat_keyed(*t, kStatLimitKey));
            stats.memory_rss_bytes = find_flat_keyed(*t, v2_ ? "anon" : "total_rss");
            stats.memory_cache_bytes = find_flat_keyed(*t, v2_ ? "file" : "total_cache");
            if (!v2_) stats.memory_swap_bytes = find_flat_keyed(*t, "total_swap");
        }
    }
    if (!limit_in_stat_) stats.memory_limit_bytes = limit_bytes(text(memory_limit_, kMemoryLimit));
    if (with_secondary) {
        CgroupStats fresh;
        if (auto t = text(cpu_split_, kCpuSplit)) {
            static const long kTicks = sysconf(_SC_CLK_TCK);
            const CpuUserSystem split =
                parse_cpuacct_stat_ns(*t, kTicks > 0 ? static_cast<std::uint64_t>(kTicks) : 0);
            fresh.cpu_user_ns_total = split.user_ns;
            fresh.cpu_system_ns_total = split.system_ns;
        }
        if (auto t = text(swap_, kSwap)) fresh.memory_swap_bytes = parse_single_value(*t);
        if (auto t = text(memory_events_, kMemoryEvents)) {
            fresh.oom_kill_events_total = find_flat_keyed(*t, "oom_kill");
            if (v2_) fresh.memory_failcnt = find_flat_keyed(*t, "max");
        }
        if (auto t = text(memory_failcnt_, kMemoryFailcnt)) fresh.memory_failcnt = parse_single_value(*t);
        if (auto t = text(cpu_quota_, kCpuQuota)) {
            if (v2_) {
                if (auto max = parse_cpu_max(*t)) {
                    fresh.cpu_quota_us = max->quota_us;
                    fresh.cpu_period_us = max->period_us;
                }
            } else {
                fresh.cpu_quota_us = parse_single_value(*t);  // "-1" (unlimited) is not a value
            }
        }
        if (auto t = text(cpu_period_, kCpuPeriod)) fresh.cpu_period_us = parse_single_value(*t);
        last_complete_ = fresh;  // only its secondary fields are read below, before it is replaced
    }
    const CgroupStats& slow = last_complete_;
    if (cpu_split_) {  // v1; v2's split came with cpu.stat above
        stats.cpu_user_ns_total = slow.cpu_user_ns_total;
        stats.cpu_system_ns_total = slow.cpu_system_ns_total;
    }
    if (swap_) stats.memory_swap_bytes = slow.memory_swap_bytes;  // v2; v1's is in memory.stat
    stats.oom_kill_events_total = slow.oom_kill_events_total;
    stats.memory_failcnt = slow.memory_failcnt;
    stats.cpu_quota_us = slow.cpu_quota_us;
    stats.cpu_period_us = slow.cpu_period_us;
    if (round == Round::memory) {
        stats.pids = last_complete_.pids;  // a process count moves only with something running
    } else if (auto t = text(pids_, kPids)) {
        stats.pids = parse_single_value(*t);
    }
    if (round == Round::memory && !io_is_v2_) {
        // Nothing of an idle container's can be written back through a v1 blkio group: v1 charges a bio to
        // the group of the task that submits it, and writeback runs in the kernel's flusher threads.
        stats.block_read_bytes_total = last_complete_.block_read_bytes_total;
        stats.block_write_bytes_total = last_complete_.block_write_bytes_total;
    } else if (io_is_v2_) {
        if (auto t = text(io_, kIo)) fill_block_io(stats, parse_io_stat(*t));
    } else if (io_ || blkio_recursive_) {
        // blk-throttle accounts every bio, so its file is the primary source; the CFQ/BFQ-era recursive file
        // is the fallback when throttle is missing or has no devices (runc does the same, in the other order).
        std::optional<BlockIoBytes> throttle;
        if (auto t = text(io_, kIo)) throttle = parse_blkio_service_bytes(*t);
        if (throttle && throttle->devices > 0) {
            fill_block_io(stats, throttle);
        } else {
            std::optional<BlockIoBytes> recursive;
            if (auto t = text(blkio_recursive_, kSlots)) recursive = parse_blkio_service_bytes(*t);
            fill_block_io(stats, recursive && recursive->devices > 0 ? recursive : (throttle ? throttle : recursive));
        }
    }
    stats.found = !gone && any_value(stats);
    // Intact or missing: a tree caught half-removed may still answer cpu.max alone; that is not a container.
    if (!stats.found) stats = CgroupStats{};
    idle_ = stats.found && !cpu_moved;
    last_complete_ = stats;
    return stats;
}

CgroupReader::CgroupReader(HostPaths paths)
    : paths_(std::move(paths)), mounts_(detect_cgroup_mounts(paths_.cgroup_root)), version_(mounts_.version) {}

CgroupStats CgroupReader::read_container(const std::string& container_id, std::optional<int> init_pid) const {
    return open_container(container_id, init_pid).read();
}

CgroupHandle CgroupReader::open_container(const std::string& container_id, std::optional<int> init_pid) const {
    CgroupHandle handle = locate_container(container_id, init_pid);
    handle.open_files_ = handle.count_open_files();
    return handle;
}

CgroupHandle CgroupReader::locate_container(const std::string& container_id, std::optional<int> init_pid) const {
    CgroupHandle handle;
    if (version_ == CgroupVersion::none) return handle;

    std::vector<ProcCgroupEntry> entries;
    if (init_pid && *init_pid > 0) {
        if (auto text = util::read_text_file(paths_.proc / std::to_string(*init_pid) / "cgroup")) {
            entries = parse_proc_cgroup(*text);
        }
    }
    auto path_of = [&](std::string_view controller) { return find_proc_cgroup_path(entries, controller); };

    if (version_ == CgroupVersion::v2) {
        if (auto at = locate(mounts_.unified, path_of(""), container_id, "cpu.stat")) {
            handle.cpu_ = std::move(at->first);
            handle.cpu_is_cpu_stat_ = true;
            handle.memory_usage_ = KernelFile::open(at->dir / "memory.current");
            handle.memory_stat_ = KernelFile::open(at->dir / "memory.stat");
            handle.memory_limit_ = KernelFile::open(at->dir / "memory.max");
            handle.pids_ = KernelFile::open(at->dir / "pids.current");
            handle.io_ = KernelFile::open(at->dir / "io.stat");
            handle.io_is_v2_ = true;
            handle.v2_ = true;
            handle.memory_events_ = KernelFile::open(at->dir / "memory.events");
            handle.swap_ = KernelFile::open(at->dir / "memory.swap.current");
            handle.cpu_quota_ = KernelFile::open(at->dir / "cpu.max");
            if (handle.cpu_) handle.parent_cpu_file_ = at->dir.parent_path() / "cpu.stat";
            if (handle.memory_usage_) handle.parent_memory_file_ = at->dir.parent_path() / "memory.stat";
            handle.dir_ = std::move(at->dir);
        }
        return handle;
    }

    if (auto at = locate(mounts_.cpuacct, path_of("cpuacct"), container_id, "cpuacct.usage")) {
        handle.cpu_ = std::move(at->first);
        handle.cpu_split_ = KernelFile::open(at->dir / "cpuacct.stat");
        if (handle.cpu_) handle.parent_cpu_file_ = at->dir.parent_path() / "cpuacct.usage";
        handle.dir_ = std::move(at->dir);
    }
    if (auto at = locate(mounts_.cpu, path_of("cpu"), container_id, "cpu.cfs_quota_us")) {
        handle.cpu_quota_ = std::move(at->first);
        handle.cpu_period_ = KernelFile::open(at->dir / "cpu.cfs_period_us");
    }
    if (!handle.cpu_ && version_ == CgroupVersion::hybrid) {
        if (auto at = locate(mounts_.unified, path_of(""), container_id, "cpu.stat")) {
            handle.cpu_ = std::move(at->first);
            handle.cpu_is_cpu_stat_ = true;
            if (handle.cpu_) handle.parent_cpu_file_ = at->dir.parent_path() / "cpu.stat";
            handle.dir_ = std::move(at->dir);
        }
    }
    if (auto at = locate(mounts_.memory, path_of("memory"), container_id, "memory.usage_in_bytes")) {
        handle.memory_usage_ = std::move(at->first);
        handle.memory_stat_ = KernelFile::open(at->dir / "memory.stat");
        handle.memory_limit_ = KernelFile::open(at->dir / "memory.limit_in_bytes");
        handle.inactive_key_ = "total_inactive_file";
        handle.memory_events_ = KernelFile::open(at->dir / "memory.oom_control");
        handle.memory_failcnt_ = KernelFile::open(at->dir / "memory.failcnt");
        if (limit_is_in_stat(handle.memory_stat_, handle.memory_limit_, handle.buffer_)) {
            handle.memory_limit_ = KernelFile{};
            handle.limit_in_stat_ = true;
        }
        if (handle.memory_usage_) handle.parent_memory_file_ = at->dir.parent_path() / "memory.stat";
        if (handle.dir_.empty()) handle.dir_ = std::move(at->dir);
    }
    if (auto at = locate(mounts_.pids, path_of("pids"), container_id, "pids.current")) {
        handle.pids_ = std::move(at->first);
    }
    if (auto at = locate(mounts_.blkio, path_of("blkio"), container_id, "blkio.throttle.io_service_bytes")) {
        handle.io_ = std::move(at->first);
        handle.blkio_recursive_ = KernelFile::open(at->dir / "blkio.io_service_bytes_recursive");
    }
    return handle;
}

std::vector<std::filesystem::path> CgroupReader::default_container_parents() const {
    const fs::path& mount = version_ == CgroupVersion::v2 ? mounts_.unified
                            : !mounts_.cpuacct.empty()    ? mounts_.cpuacct
                                                          : mounts_.unified;
    if (version_ == CgroupVersion::none || mount.empty()) return {};
    return {mount / "docker", mount / "system.slice"};
}

}  // namespace cmon::sources
