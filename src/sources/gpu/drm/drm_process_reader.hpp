// Finds the DRM clients of every process under <proc>: the fds whose <proc>/<pid>/fd/<n> link points at
// /dev/dri/renderD* or /dev/dri/card* (readlink only: /dev/dri is never opened), and their
// <proc>/<pid>/fdinfo/<n> text, parsed. A per-pid cache keeps each pid's DRM fd list: a pid's fd directory
// is listed again only when its signature (inode, size = open fd count on Linux 6.2+, mtime) changed. The
// inode stands in for the process's start time: procfs gives every process instance its own inode, so a
// reused pid is listed again without reading <pid>/stat. One fstatat per pid per tick is still
// ~1 ms at 1000 processes, so a pid that holds no DRM fd is checked only every `recheck_every` ticks (in
// turns, pid by pid); new pids and DRM clients are checked every tick. Each tick therefore costs one
// directory read of <proc>, about processes / recheck_every fstatat calls, and the fdinfo reads of the DRM
// fds; a process that opens a GPU long after it started is noticed within recheck_every ticks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sources/gpu/drm/fdinfo_parser.hpp"

namespace cmon::sources {

struct DrmClientReading {
    unsigned pid = 0;
    int fd = -1;
    std::string node;  // "renderD128" or "card0": the /dev/dri node the fd points at
    DrmFdinfo info;
};

struct DrmProcessScan {
    std::vector<DrmClientReading> clients;  // one per DRM fd (callers dedupe by pdev + client id)
    unsigned processes = 0;                 // pids seen under <proc>
    unsigned checked = 0;                   // pids whose fd directory signature was compared this time
    unsigned rescanned = 0;                 // pids whose fd list was read this time
    unsigned denied = 0;                    // pids whose fds or fdinfo we may not read (no CAP_SYS_PTRACE)
};

class DrmProcessReader {
public:
    static constexpr unsigned kDefaultRecheckEvery = 10;
    explicit DrmProcessReader(std::filesystem::path proc, unsigned recheck_every = kDefaultRecheckEvery);
    ~DrmProcessReader();
    DrmProcessReader(const DrmProcessReader&) = delete;
    DrmProcessReader& operator=(const DrmProcessReader&) = delete;

    DrmProcessScan scan();
    std::size_t cached_pids() const { return cache_.size(); }

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
    };
    struct Entry {
        Signature signature;
        std::vector<DrmFd> fds;
        bool denied = false;
        std::uint64_t generation = 0;
    };

    // Lists <pid>/fd again; false when the pid vanished meanwhile.
    bool rescan(unsigned pid, Entry& entry);
    void read_clients(unsigned pid, Entry& entry, DrmProcessScan& out);

    std::filesystem::path proc_;
    unsigned recheck_every_;
    int proc_fd_ = -1;
    std::uint64_t generation_ = 0;
    std::map<unsigned, Entry> cache_;
};

}  // namespace cmon::sources
