// GPU process -> container: reads /proc/<pid>/cgroup (container id) and /proc/<pid>/status (NSpid) under
// HostPaths::proc, caches the answer per process while it stays on the GPU, and fills
// GpuProcess::container_id / container_pid / process_exists (and command, with show_cmdline) in the draft.
// Pids that are not under HostPaths::proc (the monitor runs without the host's pid namespace) are looked
// up with the ContainerPidLister fallback (Docker top), once per tick for all of them; note() says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "attribution/container_pid_lister.hpp"
#include "model/snapshot.hpp"
#include "sources/host_paths.hpp"
#include "sources/pid_watch.hpp"
#include "sources/pid_watch_bell.hpp"

namespace cmon::attribution {

struct GpuAttributorOptions {
    bool show_cmdline = false;             // fill GpuProcess::command from /proc/<pid>/cmdline
    std::size_t cmdline_max_bytes = 1024;  // longer command lines are cut (and end in "...")
};

// /proc/<pid>/cmdline text -> one line: NULs become spaces, trailing ones dropped, other control characters
// become '?', at most max_bytes (cut ones end in "..."). nullopt when empty (kernel threads, zombies).
std::optional<std::string> command_line_from_cmdline(std::string_view raw, std::size_t max_bytes);

class GpuAttributor {
public:
    // `fallback` (may be empty) is asked for processes whose cgroup file cannot be read: at most once per tick,
    // and only when such a pid is new or the set of containers changed (its answers are kept per pid).
    explicit GpuAttributor(sources::HostPaths paths, ContainerPidLister fallback = {},
                           GpuAttributorOptions options = {});

    void attribute(model::Snapshot& draft);

    std::size_t cached_pids() const { return cache_.size(); }
    // How many times a process's files were read (tests, benchmarks).
    std::uint64_t reads() const { return reads_; }
    // How many times /proc/<pid> was stat()ed to tell which process holds a pid (tests).
    std::uint64_t identity_checks() const { return identity_checks_; }
    // Whether processes read are watched through pidfds (HostPaths::proc is this process's own pid
    // namespace and pidfd_open works).
    bool watches_processes() const { return watch_processes_; }
    // How the last attribute() got its answers when that was not /proc alone
    // ("pids from docker top (no host pid namespace)"), else empty.
    const std::string& note() const { return note_; }

private:
    // Which process a /proc/<pid> directory is: the kernel makes a new directory inode (new inode number,
    // ctime of its creation) for each process a pid is given to, so a pid reused between two ticks shows a
    // different identity and is read again. (An inode the kernel dropped and made again for the same process
    // also differs: that costs one extra read, never a wrong answer.)
    struct Identity {
        unsigned long long dev = 0, ino = 0;
        long long ctime_sec = 0, ctime_nsec = 0;
        bool operator==(const Identity&) const = default;
    };
    struct Entry {
        std::optional<std::string> container_id;
        std::optional<unsigned> container_pid;
        std::optional<std::string> command;
        bool gone = false;  // /proc/<pid> vanished: keep the last answer, but re-read if the pid reappears
        Identity identity;  // of /proc/<pid> when it was read
        // The process read, while it runs: no stat() of /proc/<pid> is needed to know the pid is still
        // its. Empty without pidfds, and once the process exited (then the identity decides, as without).
        sources::PidWatch watch;
    };
    // stat() of /proc/<pid>; nullopt when it does not exist.
    std::optional<Identity> identify(unsigned pid);
    // nullopt when /proc/<pid>/cgroup cannot be read.
    std::optional<Entry> read(unsigned pid);
    void apply_fallback(model::Snapshot& draft, const std::vector<model::GpuProcess*>& unresolved);

    sources::HostPaths paths_;
    ContainerPidLister fallback_;
    GpuAttributorOptions options_;
    std::string note_;
    std::unordered_map<unsigned, Entry> cache_;
    std::string pid_path_;          // "<proc>/<pid>", reused: no path object per process per tick
    std::vector<unsigned> listed_;  // this tick's GPU pids, sorted (reused between ticks)
    std::uint64_t reads_ = 0;
    std::uint64_t identity_checks_ = 0;
    bool watch_processes_ = false;
    sources::PidWatchBell bell_;  // over the entries' watches: one epoll_wait per tick while none exited
    // The fallback's answers per GPU pid (nullopt: in no container), kept while the pid stays on a GPU, and the
    // container ids it was last asked about.
    std::unordered_map<unsigned, std::optional<std::string>> fallback_cache_;
    std::vector<std::string> fallback_asked_ids_;
};

}  // namespace cmon::attribution
