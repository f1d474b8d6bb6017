#include "sources/host/mount_table.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

namespace cmon::sources {

MountTable::MountTable(std::filesystem::path mountinfo) : path_(std::move(mountinfo)) {}

const std::vector<MountEntry>& MountTable::disk_mounts() {
    if (!loaded_ || changed()) reload();
    return mounts_;
}

bool MountTable::changed() {
    if (!fd_ || !pollable_) return true;
    pollfd p{fd_.get(), POLLPRI, 0};
    int rc = 0;
    do {
        rc = ::poll(&p, 1, 0);
    } while (rc < 0 && errno == EINTR);
    // An error of poll itself: read again rather than keep a table we can no longer vouch for.
    return rc != 0 || (p.revents & (POLLPRI | POLLERR)) != 0;
}

void MountTable::reload() {
    loaded_ = true;
    ++reads_;
    if (!pollable_) fd_.reset();  // a plain file may have been replaced: open it anew
    if (!fd_) {
        fd_.reset(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd_) {
            mounts_.clear();
            return;
        }
        struct statfs fs {};
        pollable_ = ::fstatfs(fd_.get(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
    }
    // The whole file from offset 0 each time: procfs generates it anew (seq_file), a plain file is re-read.
    buffer_.clear();
    std::size_t have = 0;
    for (;;) {
        if (buffer_.size() < have + 16384) buffer_.resize(have + 16384);
        const ssize_t got = ::pread(fd_.get(), buffer_.data() + have, buffer_.size() - have, static_cast<off_t>(have));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            fd_.reset();  // opened again next time
            mounts_.clear();
            return;
        }
        if (got == 0) break;
        have += static_cast<std::size_t>(got);
    }
    mounts_ = select_disk_mounts(parse_mountinfo(std::string_view(buffer_.data(), have)));
}

}  // namespace cmon::sources
