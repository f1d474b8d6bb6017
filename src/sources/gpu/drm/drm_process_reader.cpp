// DrmProcessReader: a sweep of <proc> with a per-pid cache (see the header). Everything is read relative to
// one directory fd of <proc>, so the paths stay short and the kernel does not walk /proc each time.
#include "sources/gpu/drm/drm_process_reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

constexpr std::size_t kMaxFdinfoBytes = 64 * 1024;

std::optional<unsigned> pid_of(const char* name) {
    auto value = util::parse_u64(name);
    if (!value || *value == 0 || *value > 0xffffffffULL) return std::nullopt;
    return static_cast<unsigned>(*value);
}

// Whole file relative to dir_fd. On failure returns nullopt and leaves errno as open/read set it.
std::optional<std::string> read_at(int dir_fd, const std::string& path, std::size_t max_bytes) {
    const int fd = ::openat(dir_fd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            errno = saved;
            return std::nullopt;
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() >= max_bytes) break;
    }
    ::close(fd);
    return text;
}

// "/dev/dri/renderD128" -> "renderD128"; anything else -> empty.
std::string dri_node(std::string_view target) {
    constexpr std::string_view kDri = "/dev/dri/";
    if (!target.starts_with(kDri)) return {};
    std::string_view node = target.substr(kDri.size());
    if (node.starts_with("renderD") || node.starts_with("card")) return std::string(node);
    return {};
}

}  // namespace

DrmProcessReader::DrmProcessReader(std::filesystem::path proc, unsigned recheck_every)
    : proc_(std::move(proc)), recheck_every_(recheck_every == 0 ? 1 : recheck_every) {}

DrmProcessReader::~DrmProcessReader() {
    if (proc_fd_ >= 0) ::close(proc_fd_);
}

bool DrmProcessReader::rescan(unsigned pid, Entry& entry) {
    const std::string base = std::to_string(pid);
    entry.fds.clear();
    entry.denied = false;
    const int dir_fd = ::openat(proc_fd_, (base + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        if (errno == EACCES || errno == EPERM) {
            entry.denied = true;
            return true;
        }
        return false;
    }
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
        ::close(dir_fd);
        return false;
    }
    char target[256];
    while (const dirent* item = ::readdir(dir)) {
        if (item->d_name[0] == '.') continue;
        const ssize_t length = ::readlinkat(dir_fd, item->d_name, target, sizeof target - 1);
        if (length <= 0) continue;  // closed meanwhile
        std::string node = dri_node(std::string_view(target, static_cast<std::size_t>(length)));
        if (node.empty()) continue;
        auto fd = util::parse_u64(item->d_name);
        if (!fd || *fd > 0x7fffffffULL) continue;
        entry.fds.push_back({static_cast<int>(*fd), std::move(node)});
    }
    ::closedir(dir);
    return true;
}

void DrmProcessReader::read_clients(unsigned pid, Entry& entry, DrmProcessScan& out) {
    const std::string base = std::to_string(pid) + "/fdinfo/";
    for (const DrmFd& drm : entry.fds) {
        auto text = read_at(proc_fd_, base + std::to_string(drm.fd), kMaxFdinfoBytes);
        if (!text) {
            if (errno == EACCES || errno == EPERM) entry.denied = true;
            continue;  // ENOENT: the fd was closed or the process exited mid-scan
        }
        DrmFdinfo info = parse_drm_fdinfo(*text);
        if (!info.driver) continue;  // a /dev/dri node without usage stats (old kernel, KMS-only driver)
        out.clients.push_back({pid, drm.fd, drm.node, std::move(info)});
    }
}

DrmProcessScan DrmProcessReader::scan() {
    DrmProcessScan out;
    if (proc_fd_ < 0) {
        proc_fd_ = ::open(proc_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd_ < 0) return out;
    }
    const int list_fd = ::openat(proc_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list_fd < 0) return out;
    DIR* dir = ::fdopendir(list_fd);
    if (dir == nullptr) {
        ::close(list_fd);
        return out;
    }
    ++generation_;
    while (const dirent* item = ::readdir(dir)) {
        auto pid = pid_of(item->d_name);
        if (!pid) continue;
        ++out.processes;
        auto [it, inserted] = cache_.try_emplace(*pid);
        Entry& entry = it->second;
        entry.generation = generation_;
        // Pids without DRM fds take turns; clients and new pids are looked at every tick.
        const bool turn = (*pid + generation_) % recheck_every_ == 0;
        if (!inserted && entry.fds.empty() && !turn) {
            if (entry.denied) ++out.denied;
            continue;
        }
        ++out.checked;
        struct stat st {};
        const std::string fd_path = std::string(item->d_name) + "/fd";
        if (::fstatat(proc_fd_, fd_path.c_str(), &st, 0) != 0) {
            cache_.erase(it);  // exited between the listing and now
            continue;
        }
        const Signature signature{static_cast<std::uint64_t>(st.st_ino), static_cast<std::int64_t>(st.st_size),
                                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
        // procfs before 6.2 reports size 0 for every fd directory: no signature, list it every time.
        const bool unknown = signature.size == 0;
        if (inserted || unknown || !(entry.signature == signature)) {
            entry.signature = signature;
            ++out.rescanned;
            if (!rescan(*pid, entry)) {
                cache_.erase(it);
                continue;
            }
        }
        if (!entry.fds.empty()) read_clients(*pid, entry, out);
        if (entry.denied) ++out.denied;
    }
    ::closedir(dir);
    // Pids no longer listed have exited.
    for (auto it = cache_.begin(); it != cache_.end();) {
        if (it->second.generation != generation_)
            it = cache_.erase(it);
        else
            ++it;
    }
    return out;
}

}  // namespace cmon::sources
