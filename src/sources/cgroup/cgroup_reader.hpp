// Reads one container's cgroup files (v1, v2 and hybrid; cgroupfs and systemd layouts). I/O lives here;
// the text formats are parsed by the pure functions in cgroup_parser.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sources/cgroup/cgroup_mounts.hpp"
#include "sources/cgroup/kernel_file.hpp"
#include "sources/cgroup/kernel_file_batch.hpp"
#include "sources/cgroup/steady_tree.hpp"
#include "sources/host_paths.hpp"

namespace cmon::sources {

struct CgroupStats {
    std::optional<std::uint64_t> cpu_time_ns_total;
    std::optional<std::uint64_t> memory_usage_bytes;        // raw usage, page cache included
    std::optional<std::uint64_t> memory_working_set_bytes;  // usage - inactive file, as `docker stats`
    std::optional<std::uint64_t> memory_limit_bytes;        // nullopt when unlimited
    std::optional<std::uint64_t> pids;
    std::optional<std::uint64_t> block_read_bytes_total;
    std::optional<std::uint64_t> block_write_bytes_total;
    // As cAdvisor reads them. CPU split: v2 cpu.stat user_usec/system_usec, v1 cpuacct.stat (USER_HZ).
    std::optional<std::uint64_t> cpu_user_ns_total;
    std::optional<std::uint64_t> cpu_system_ns_total;
    // memory.stat: v1 total_rss / total_cache / total_swap (swap only with swap accounting), v2 anon / file;
    // v2 swap from memory.swap.current.
    std::optional<std::uint64_t> memory_rss_bytes;
    std::optional<std::uint64_t> memory_cache_bytes;
    std::optional<std::uint64_t> memory_swap_bytes;
    // Times usage hit the limit: v1 memory.failcnt, v2 memory.events "max".
    std::optional<std::uint64_t> memory_failcnt;
    // OOM kills in the cgroup: v1 memory.oom_control "oom_kill" (kernel 4.13+), v2 memory.events "oom_kill".
    std::optional<std::uint64_t> oom_kill_events_total;
    // CFS bandwidth: v1 cpu.cfs_quota_us (-1 = unlimited) and cpu.cfs_period_us, v2 cpu.max.
    std::optional<std::uint64_t> cpu_quota_us;
    std::optional<std::uint64_t> cpu_period_us;
    bool found = false;  // false: no cgroup directory for this container was reachable

    bool operator==(const CgroupStats&) const = default;
};

// One container's cgroup files, opened once by CgroupReader::open_container and read at every sample
// (KernelFile: one pread per file). Move-only; holds open_files() descriptors.
class CgroupHandle {
public:
    // The stats as they are now. found == false when nothing was located, and also when a file that was
    // open can no longer be read: the cgroup was removed (the container stopped or restarted), so the
    // owner should drop this handle and open the container again.
    CgroupStats read() { return read(nullptr); }
    // What a read reads. complete: every file (the secondary ones when due); cpu_only: the CPU file of an
    // idle container, the rest repeated unless it moved; memory: an idle container's memory.stat (its
    // other memory and IO files when that moved) under a parent whose CPU time did not move but whose
    // memory did; none: an idle container in a steady tree.
    enum class Round { complete, cpu_only, memory, none };
    // Queues the reads the next read(&batch) needs; the handle must stay in place until batch.run().
    // `tree`: what the container's parent says of the subtree since the previous sample (SteadyTree):
    // with its CPU time unmoved, an idle container's CPU time, process count and slow files cannot have
    // moved either; with its memory.stat unmoved too, nothing of the container can have.
    void queue(KernelFileBatch& batch, TreeState tree = {});
    // Makes the next read complete, the secondary files too: after an event that may have changed what
    // only a complete read sees (`docker update` of a limit).
    void read_whole_next() { whole_next_ = true; }
    // The round the last queue() planned, which the next read() carries out.
    Round queued_round() const { return queued_round_.value_or(plan(TreeState{})); }
    // The same as read(), with the texts the batch read for this handle's queue() when the batch still
    // holds them, else one pread per file.
    CgroupStats read(const KernelFileBatch* batch);
    std::size_t open_files() const { return open_files_; }
    // Files that only feed cAdvisor's series and change rarely or slowly (v1 cpuacct.stat, the OOM and
    // failcnt counters, v2 memory.swap.current, the CPU quota and period) are read at the first read and
    // then once every this many; the reads in between repeat their last values. At 100 containers they
    // were five of the eleven files read per container per sample; a Prometheus scrape (15 s and up) sees
    // them at most this many samples old.
    static constexpr unsigned kSecondaryEvery = 5;
    // An idle container (its CPU time did not move between its last two reads) has only its CPU file
    // read, and while that still has not moved the rest of its stats repeat the last complete read: a
    // container that runs nothing changes nothing else either, except what the kernel does on its behalf
    // (reclaiming its page cache, writing back its dirty pages). Every kSecondaryEvery-th read is
    // complete regardless, so that is at most that many reads old. Most containers on a shared server
    // are idle most of the time; this is one file per sample for each of them instead of six.
    //
    // In a steady tree (SteadyTree: the parent's CPU time and memory.stat unmoved) an idle container is
    // not read at all: nothing under the parent ran, was charged or uncharged memory, moved pages between
    // its LRU lists or wrote any back, or the parent's memory.stat would show it. Under a parent whose CPU
    // time stood still but whose memory moved (the kernel reclaiming or writing back pages of one of its
    // containers) an idle container has its memory.stat read at its next kSecondaryEvery-th read, and its
    // other memory files (and v2's io.stat, where writeback is charged to the container) only when that
    // moved: the kernel usually works on a few containers at a time, and a memory.stat that reads as
    // before shows that this one's usage was not charged or uncharged, no page moved between its LRU
    // lists and none was written back. Every kSteadyCompleteEvery-th read is complete all the same, for
    // what none of that shows (a limit written to the cgroup by hand, the few pages per CPU the kernel
    // keeps charged ahead and gives back when another group charges there; `docker update` shows in the
    // event log, and the list after it reads every container whole).
    static constexpr unsigned kSteadyCompleteEvery = 120;
    // Whether the last read() repeated the last complete read (idle, CPU file alone or nothing), and how
    // many reads there were: the owner may repeat what it reads alongside (the container's network
    // counters) the same way, and decide when not to.
    unsigned reads() const { return reads_; }
    bool repeated() const { return repeated_; }
    // The container's directory in the first hierarchy it was found in (the CPU one when present); empty
    // when nothing was located. Its parent is where Docker creates sibling containers.
    const std::filesystem::path& dir() const { return dir_; }
    // Its parent's CPU file (the kind this handle reads for the container) and memory.stat; empty paths
    // when it has no CPU or no memory file. What a SteadyTree over its siblings reads.
    const std::filesystem::path& parent_cpu_file() const { return parent_cpu_file_; }
    const std::filesystem::path& parent_memory_file() const { return parent_memory_file_; }

private:
    friend class CgroupReader;
    std::size_t count_open_files() const;
    // Counted once when opened (the owner sums every handle's each sample; a failed read drops the handle).
    std::size_t open_files_ = 0;
    KernelFile cpu_;
    bool cpu_is_cpu_stat_ = false;  // v2 cpu.stat (usage_usec) rather than v1 cpuacct.usage (ns)
    KernelFile memory_usage_;
    KernelFile memory_stat_;
    KernelFile memory_limit_;
    bool limit_in_stat_ = false;  // v1: the limit comes from memory.stat (hierarchical_memory_limit)
    const char* inactive_key_ = "inactive_file";
    KernelFile pids_;
    KernelFile io_;  // v2 io.stat or v1 blkio.throttle.io_service_bytes
    bool io_is_v2_ = false;
    KernelFile blkio_recursive_;  // v1 fallback when throttle accounts no device
    KernelFile cpu_split_;        // v1 cpuacct.stat (v2: the split is in cpu.stat)
    KernelFile memory_events_;    // v2 memory.events, v1 memory.oom_control
    KernelFile memory_failcnt_;   // v1 memory.failcnt (v2: memory.events "max")
    KernelFile swap_;             // v2 memory.swap.current
    KernelFile cpu_quota_;        // v2 cpu.max, v1 cpu.cfs_quota_us
    KernelFile cpu_period_;       // v1 cpu.cfs_period_us
    bool v2_ = false;
    std::filesystem::path dir_;
    std::filesystem::path parent_cpu_file_;
    std::filesystem::path parent_memory_file_;
    std::string buffer_;
    // Tickets of the last queue(), per file read every sample (blkio_recursive_ is read only when needed).
    enum Slot : std::size_t {
        kCpu,
        kMemoryUsage,
        kMemoryStat,
        kMemoryLimit,
        kPids,
        kIo,
        kCpuSplit,
        kMemoryEvents,
        kMemoryFailcnt,
        kSwap,
        kCpuQuota,
        kCpuPeriod,
        kSlots
    };
    std::array<std::optional<KernelFileBatch::Ticket>, kSlots> tickets_{};
    static bool secondary(std::size_t slot) { return slot >= kCpuSplit && slot < kSlots; }
    bool secondary_due() const { return whole_next_ || reads_ % kSecondaryEvery == 0; }
    Round plan(TreeState tree) const;
    // What a memory round queues: memory.stat, which says whether the rest is worth reading (below, read()),
    // or without it the memory files themselves (and v2's io.stat).
    bool memory_round(std::size_t slot) const {
        if (memory_stat_) return slot == kMemoryStat;
        return slot == kMemoryUsage || slot == kMemoryLimit || (slot == kIo && io_is_v2_);
    }
    std::optional<Round> queued_round_;  // set by queue(), used and cleared by the next read()
    // The memory.stat text of the last read that was not a repeat, kept as its size and hash rather than
    // the text (a kilobyte per container): two successive texts that differ but hash alike, about 2^-64,
    // would pass as unchanged until the next complete read. Empty when that read did not read memory.stat.
    std::optional<std::pair<std::size_t, std::size_t>> last_stat_key_;
    bool whole_next_ = false;
    bool memory_pending_ = false;  // the parent's memory moved since this container's memory was last read
    unsigned reads_ = 0;
    // The last read that was not a repeat; its secondary fields are what the secondary files last gave.
    CgroupStats last_complete_;
    std::optional<std::uint64_t> last_cpu_;
    bool idle_ = false;  // the CPU time did not move between the last two reads
    bool repeated_ = false;
};

class CgroupReader {
public:
    explicit CgroupReader(HostPaths paths);
    CgroupVersion version() const { return version_; }
    // Where each controller was found at construction (detection happens once).
    const CgroupMounts& mounts() const { return mounts_; }
    // Locates the container's cgroup through /proc/<init_pid>/cgroup when given, else the known docker
    // paths (cgroupfs "/docker/<id>", systemd "system.slice/docker-<id>.scope"), and reads its stats.
    // A container that vanished mid-read gives found == false, never an exception.
    CgroupStats read_container(const std::string& container_id, std::optional<int> init_pid) const;
    // Locates the container the same way and opens its files for repeated reads.
    CgroupHandle open_container(const std::string& container_id, std::optional<int> init_pid) const;
    // Where Docker puts container cgroups by default, in the hierarchy open_container reports dir() from:
    // "<mount>/docker" (cgroupfs driver) and "<mount>/system.slice" (systemd driver). Empty without cgroups.
    std::vector<std::filesystem::path> default_container_parents() const;

private:
    // open_container's files, before they are counted.
    CgroupHandle locate_container(const std::string& container_id, std::optional<int> init_pid) const;

    HostPaths paths_;
    CgroupMounts mounts_;
    CgroupVersion version_;
};

}  // namespace cmon::sources
