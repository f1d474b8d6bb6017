// DrmProcessReader: bounded work per tick over <proc> with a per-pid cache (see the header). Everything is
// read relative to one kept directory fd of <proc>; the listing uses getdents64 into one reused buffer and
// seeks by the positions the kernel hands back (d_off), so a tick can resume where the last one stopped.
#include "sources/gpu/drm/drm_process_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <string_view>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

constexpr std::size_t kMaxFdinfoBytes = 64 * 1024;
constexpr long kProcSuperMagic = 0x9fa0;
// getdents64 record of a pid: 19 bytes of header, 1-4 digits and a NUL, 8-byte aligned (5-7 digits: 32).
// The kernel does the work (a dentry) for every record it fills, so the lap's buffer holds little more
// than the entries it visits.
constexpr std::size_t kPidRecordBytes = 24;
constexpr std::size_t kMinListingBytes = 256;  // room for the longest name in /proc
constexpr std::size_t kTailBytes = 8 * 1024;         // up to ~300 new processes per tick; more next tick
constexpr std::size_t kWholeListingBytes = 64 * 1024;  // the first tick lists everything
constexpr unsigned kYoungChecksPerTick = 16;
constexpr unsigned kYoungLastStep = 32;  // checks at ages 1, 3, 7, 15, 31 and 63 ticks

struct Dirent64 {
    std::uint64_t d_ino;
    std::int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[1];
};

std::optional<unsigned> pid_of(const char* name) {
    if (name[0] < '1' || name[0] > '9') return std::nullopt;  // ".", "..", "self", "sys"... and "0"
    auto value = util::parse_u64(name);
    if (!value || *value > 0xffffffffULL) return std::nullopt;
    return static_cast<unsigned>(*value);
}

bool refused(int error) { return error == EACCES || error == EPERM; }

// Reads all of `fd` from offset 0 (pread: a kept procfs/seq_file is generated afresh). nullopt with errno
// set on failure.
std::optional<std::string> read_whole(int fd) {
    std::string text;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(text.size()));
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
        if (text.size() >= kMaxFdinfoBytes) break;
    }
    return text;
}

}  // namespace

DrmProcessReader::DrmProcessReader(std::filesystem::path proc, DrmProcessReaderOptions options)
    : proc_(std::move(proc)), options_(std::move(options)) {
    if (options_.lap_entries == 0) options_.lap_entries = 1;
}

void DrmProcessReader::drop_fds(Entry& entry) {
    for (DrmFd& drm : entry.fds) {
        if (drm.fdinfo) --kept_;
    }
    entry.fds.clear();
}

bool DrmProcessReader::rescan(unsigned pid, Entry& entry) {
    drop_fds(entry);
    entry.denied = false;
    char path[32];
    std::snprintf(path, sizeof path, "%u/fd", pid);
    util::UniqueFd dir(::openat(proc_fd_.get(), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        if (refused(errno)) {
            entry.denied = true;
            return true;
        }
        return false;
    }
    char target[512];
    char names[4096];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dir.get(), names, sizeof names);
        if (n <= 0) break;
        for (long offset = 0; offset < n;) {
            const auto* item = reinterpret_cast<const Dirent64*>(names + offset);
            offset += item->d_reclen;
            if (item->d_name[0] == '.') continue;
            const ssize_t length = ::readlinkat(dir.get(), item->d_name, target, sizeof target - 1);
            if (length <= 0) continue;  // closed meanwhile
            const std::string_view link(target, static_cast<std::size_t>(length));
            if (!link.starts_with(options_.dri_prefix)) continue;
            const std::string_view node = link.substr(options_.dri_prefix.size());
            if (!node.starts_with("renderD") && !node.starts_with("card")) continue;
            auto fd = util::parse_u64(item->d_name);
            if (!fd || *fd > 0x7fffffffULL) continue;
            entry.fds.push_back({static_cast<int>(*fd), std::string(node), {}, false});
        }
    }
    return true;
}

bool DrmProcessReader::check(unsigned pid, Entry& entry, DrmProcessScan& out) {
    ++out.checked;
    entry.checked = tick_;
    char path[32];
    std::snprintf(path, sizeof path, "%u/fd", pid);
    struct stat st {};
    if (::fstatat(proc_fd_.get(), path, &st, 0) != 0) {
        if (!refused(errno)) return false;  // exited
        entry.denied = true;  // hidepid or a foreign pid namespace: counted as refused, kept
        return true;
    }
    const Signature signature{static_cast<std::uint64_t>(st.st_ino), static_cast<std::int64_t>(st.st_size),
                              static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
    if (signature.size != 0) sizes_counted_ = true;
    // procfs before 6.2 reports size 0 for every fd directory: no signature, list it at every check.
    const bool unknown = signature.size == 0 && !sizes_counted_;
    if (!entry.known || unknown || !(entry.signature == signature)) {
        entry.signature = signature;
        ++out.rescanned;
        if (!rescan(pid, entry)) return false;
        entry.known = true;
    }
    return true;
}

void DrmProcessReader::read_clients(unsigned pid, Entry& entry, DrmProcessScan& out) {
    for (auto it = entry.fds.begin(); it != entry.fds.end();) {
        DrmFd& drm = *it;
        // An fdinfo that cannot be opened or read: refused (noted, kept), or the fd was closed or the
        // process exited (ENOENT and the like: forgotten, and the pid listed again at its check next tick).
        auto skip = [&](int error) {
            if (refused(error)) {
                entry.denied = true;
                ++it;
                return;
            }
            it = entry.fds.erase(it);
            entry.known = false;
            entry.young_next = tick_ + 1;
            entry.young_step = 1;
        };
        if (!drm.fdinfo) {
            char path[48];
            std::snprintf(path, sizeof path, "%u/fdinfo/%d", pid, drm.fd);
            util::UniqueFd file(::openat(proc_fd_.get(), path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
            if (!file) {
                skip(errno);
                continue;
            }
            drm.fdinfo = std::move(file);
            ++kept_;
        }
        auto text = read_whole(drm.fdinfo.get());
        const int error = errno;
        // Kept only on procfs (a fixture file replaced by a new one would keep showing the old text) and
        // only up to the budget; the rest are opened per read.
        if (!text || !procfs_ || kept_ > options_.keep_open) {
            drm.fdinfo.reset();
            --kept_;
        }
        if (!text) {
            skip(error);
            continue;
        }
        ++out.drm_fds;
        DrmFdinfo info = parse_drm_fdinfo(*text);
        if (!info.driver) {
            if (drm.had_stats) {  // the number now names another file: the DRM fd was closed
                --out.drm_fds;
                if (drm.fdinfo) --kept_;
                it = entry.fds.erase(it);
                entry.known = false;
                entry.young_next = tick_ + 1;
                entry.young_step = 1;
                continue;
            }
            ++it;  // a /dev/dri node without usage stats (old kernel, KMS-only driver)
            continue;
        }
        drm.had_stats = true;
        out.clients.push_back({pid, drm.fd, drm.node, std::move(info)});
        ++it;
    }
}

template <typename Visit>
long DrmProcessReader::list(std::int64_t& position, std::optional<std::int64_t>& last_start,
                            std::size_t buffer_bytes, Visit visit) {
    if (buffer_.size() * sizeof(std::uint64_t) < buffer_bytes) buffer_.resize(buffer_bytes / sizeof(std::uint64_t) + 1);
    if (::lseek(proc_fd_.get(), static_cast<off_t>(position), SEEK_SET) < 0) return -1;
    char* bytes = reinterpret_cast<char*>(buffer_.data());
    const long n = ::syscall(SYS_getdents64, proc_fd_.get(), bytes, buffer_bytes);
    if (n <= 0) return n;
    std::int64_t start = position;
    for (long offset = 0; offset < n;) {
        const auto* item = reinterpret_cast<const Dirent64*>(bytes + offset);
        offset += item->d_reclen;
        if (auto pid = pid_of(item->d_name)) {
            last_start = start;
            if (!visit(*pid)) {
                position = item->d_off;
                return n;
            }
        }
        start = item->d_off;
    }
    position = start;
    return n;
}

DrmProcessReader::Cache::iterator DrmProcessReader::meet(unsigned pid, DrmProcessScan& out) {
    auto [it, inserted] = cache_.try_emplace(pid);
    it->second.lap = lap_number_;
    if (!inserted) return it;
    // Processes that were there before the first tick are not young: they were not just started.
    it->second.young_next = tick_ == 1 ? 0 : tick_ + 1;
    if (!check(pid, it->second, out)) {
        drop_fds(it->second);
        cache_.erase(it);
        return cache_.end();
    }
    return it;
}

void DrmProcessReader::tail(DrmProcessScan& out) {
    if (!tail_position_) return;
    std::int64_t position = *tail_position_;
    std::optional<std::int64_t> last;
    list(position, last, kTailBytes, [&](unsigned pid) {
        ++out.listed;
        if (!cache_.contains(pid)) meet(pid, out);
        return true;
    });
    if (last) tail_position_ = *last;
}

void DrmProcessReader::lap(DrmProcessScan& out, bool whole) {
    const std::size_t bytes =
        whole ? kWholeListingBytes : std::max<std::size_t>(options_.lap_entries * kPidRecordBytes, kMinListingBytes);
    unsigned visited = 0;
    for (;;) {
        const long n = list(lap_position_, lap_last_start_, bytes, [&](unsigned pid) {
            ++out.listed;
            ++visited;
            auto it = cache_.find(pid);
            if (it == cache_.end()) {
                meet(pid, out);
            } else {
                it->second.lap = lap_number_;
                if (it->second.checked != tick_ && !check(pid, it->second, out)) {
                    drop_fds(it->second);
                    cache_.erase(it);
                }
            }
            return whole || visited < options_.lap_entries;
        });
        if (n < 0) {  // the position went stale (cannot on procfs): start the lap again
            lap_position_ = 0;
            return;
        }
        if (n == 0) {
            // End of the lap: pids it did not meet have exited.
            for (auto it = cache_.begin(); it != cache_.end();) {
                if (it->second.lap != lap_number_) {
                    drop_fds(it->second);
                    it = cache_.erase(it);
                } else {
                    ++it;
                }
            }
            if (lap_last_start_) tail_position_ = *lap_last_start_;
            ++lap_number_;
            lap_position_ = 0;
            lap_last_start_.reset();
            out.lap_completed = true;
            return;
        }
        if (!whole && visited >= options_.lap_entries) return;
    }
}

DrmProcessScan DrmProcessReader::scan() {
    DrmProcessScan out;
    if (!proc_fd_) {
        proc_fd_.reset(::open(proc_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!proc_fd_) return out;
        struct statfs fs {};
        procfs_ = ::fstatfs(proc_fd_.get(), &fs) == 0 && static_cast<long>(fs.f_type) == kProcSuperMagic;
        lap_number_ = 1;
    }
    ++tick_;
    const bool first = tick_ == 1;
    tail(out);
    lap(out, first);

    unsigned young_budget = kYoungChecksPerTick;
    for (auto it = cache_.begin(); it != cache_.end();) {
        const unsigned pid = it->first;
        Entry& entry = it->second;
        if (entry.young_next != 0 && entry.young_next <= tick_ && entry.checked != tick_ && young_budget > 0) {
            --young_budget;
            entry.young_step *= 2;
            entry.young_next = entry.young_step > kYoungLastStep ? 0 : tick_ + entry.young_step;
            if (!check(pid, entry, out)) {
                drop_fds(entry);
                it = cache_.erase(it);
                continue;
            }
        }
        if (!entry.fds.empty()) read_clients(pid, entry, out);
        if (entry.denied) ++out.denied;
        ++it;
    }
    out.processes = static_cast<unsigned>(cache_.size());
    return out;
}

}  // namespace cmon::sources
