// Finds the DRM clients of every process under <proc>: the fds whose <proc>/<pid>/fd/<n> link points at
// /dev/dri/renderD* or /dev/dri/card* (readlink only: /dev/dri is never opened), and their
// <proc>/<pid>/fdinfo/<n> text, parsed.
//
// Cost model. On a VM every syscall on procfs costs microseconds, and a listing of /proc costs ~0.75 µs per
// process (the kernel builds a dentry for each), so a full sweep of 1000 processes per tick alone is over
// the 0.3 ms budget. A tick therefore does only bounded work:
//   - the tail: <proc> listed from the position of the newest pid seen, so processes started since the last
//     tick are found at once (procfs lists pids in ascending order; a wrapped pid is found by the lap);
//   - the clients: every known DRM fd's fdinfo read again (on procfs the file stays open and is re-read with
//     pread, one syscall; at most `keep_open` files are kept, the rest are opened per read);
//   - young processes: a pid is checked when first seen and again 1, 2, 4, 8, 16 and 32 ticks later, since a
//     job usually opens its GPU during start-up;
//   - the lap: `lap_entries` entries of <proc> per tick, continuing where the last tick stopped; each pid it
//     meets gets its fd directory's signature compared (one fstatat). A lap takes about
//     processes / lap_entries ticks; at its end pids not met are dropped (exited).
// A pid's fd list is read again only when its fd directory's signature changed: inode (every process
// instance has its own, so a reused pid is noticed without reading <pid>/stat), size (the open fd count on
// Linux 6.2+; older kernels give 0 and the list is read at every check) and mtime.
// So a process that opens a GPU late is seen within one lap (or within its age while young); a new process
// with a GPU open is seen at once; a closed client at once (its fdinfo read fails).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/gpu/drm/fdinfo_parser.hpp"
#include "util/unique_fd.hpp"

namespace cmon::sources {

struct DrmClientReading {
    unsigned pid = 0;
    int fd = -1;
    std::string node;  // "renderD128" or "card0": the /dev/dri node the fd points at
    DrmFdinfo info;
};

struct DrmProcessScan {
    std::vector<DrmClientReading> clients;  // one per DRM fd (callers dedupe by pdev + client id)
    unsigned processes = 0;                 // pids known (met by the tail or the lap, not yet gone)
    unsigned listed = 0;                    // directory entries of <proc> read this time
    unsigned checked = 0;                   // pids whose fd directory signature was compared this time
    unsigned rescanned = 0;                 // pids whose fd list was read this time
    unsigned drm_fds = 0;                   // fds pointing at a DRM node (with or without usage stats)
    unsigned denied = 0;                    // pids whose fds or fdinfo we may not read (no CAP_SYS_PTRACE)
    bool lap_completed = false;             // this tick reached the end of <proc>
};

struct DrmProcessReaderOptions {
    static constexpr unsigned kDefaultLapEntries = 24;
    static constexpr std::size_t kDefaultKeepOpen = 16;
    unsigned lap_entries = kDefaultLapEntries;  // entries of <proc> the lap visits per tick (at least 1)
    std::size_t keep_open = kDefaultKeepOpen;   // fdinfo files kept open between ticks (procfs only)
    std::string dri_prefix = "/dev/dri/";       // what a DRM fd's link target starts with
};

class DrmProcessReader {
public:
    explicit DrmProcessReader(std::filesystem::path proc, DrmProcessReaderOptions options = {});
    DrmProcessReader(const DrmProcessReader&) = delete;
    DrmProcessReader& operator=(const DrmProcessReader&) = delete;

    DrmProcessScan scan();
    std::size_t cached_pids() const { return cache_.size(); }
    std::size_t kept_open() const { return kept_; }

private:
    struct Signature {
        std::uint64_t inode = 0;
        std::int64_t size = 0;
        std::int64_t mtime_ns = 0;
        bool operator==(const Signature&) const = default;
    };
    struct DrmFd {
        int fd = -1;
        std::string node;
        util::UniqueFd fdinfo;  // kept open (procfs), or empty
        bool had_stats = false;  // its fdinfo had drm-* keys once
    };
    struct Entry {
        Signature signature;
        std::vector<DrmFd> fds;
        bool known = false;         // the fd list was read at least once
        bool denied = false;
        std::uint64_t lap = 0;      // the lap that last met this pid
        std::uint64_t checked = 0;  // the tick of the last check
        std::uint64_t young_next = 0;  // tick of the next start-up check; 0 = no longer young
        unsigned young_step = 1;
    };
    using Cache = std::unordered_map<unsigned, Entry>;

    // Compares the pid's fd directory signature and lists it again when it changed; false when the pid is
    // gone (the caller erases it).
    bool check(unsigned pid, Entry& entry, DrmProcessScan& out);
    // Lists <pid>/fd again; false when the pid vanished meanwhile.
    bool rescan(unsigned pid, Entry& entry);
    void read_clients(unsigned pid, Entry& entry, DrmProcessScan& out);
    void drop_fds(Entry& entry);
    // Reads entries of <proc> from `position` into `visit` (which returns false to stop after this pid);
    // returns bytes read (0 at the end) and moves `position` past the last entry used; `last_start` gets
    // the position of the last pid entry used.
    template <typename Visit>
    long list(std::int64_t& position, std::optional<std::int64_t>& last_start, std::size_t buffer_bytes,
              Visit visit);
    void tail(DrmProcessScan& out);
    void lap(DrmProcessScan& out, bool whole);
    Cache::iterator meet(unsigned pid, DrmProcessScan& out);

    std::filesystem::path proc_;
    DrmProcessReaderOptions options_;
    util::UniqueFd proc_fd_;
    bool procfs_ = false;
    bool sizes_counted_ = false;  // some fd directory had a nonzero size: the kernel counts fds (6.2+)
    std::uint64_t tick_ = 0;
    std::uint64_t lap_number_ = 0;
    std::int64_t lap_position_ = 0;
    std::optional<std::int64_t> lap_last_start_;
    std::optional<std::int64_t> tail_position_;
    std::size_t kept_ = 0;
    std::vector<std::uint64_t> buffer_;  // getdents64 records (8-byte aligned)
    Cache cache_;
};

}  // namespace cmon::sources
