// Filesystem reader: mountinfo -> select_disk_mounts() -> statvfs(3) per mount. Does I/O.
#include "sources/host/filesystem_reader.hpp"

#include <cerrno>


namespace cmon::sources {

namespace {

std::string statvfs_path(const std::filesystem::path& root_prefix, const std::string& mount_point) {
    if (root_prefix.empty()) return mount_point;
    std::string prefix = root_prefix.string();
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    return prefix + mount_point;
}

}  // namespace

model::Filesystem to_filesystem(const MountEntry& mount, const struct statvfs& stats) {
    const std::uint64_t fragment = stats.f_frsize;
    model::Filesystem fs;
    fs.mount_point = mount.mount_point;
    fs.device = mount.source;
    fs.fs_type = mount.fs_type;
    fs.total_bytes = static_cast<std::uint64_t>(stats.f_blocks) * fragment;
    std::uint64_t free_blocks = stats.f_bfree <= stats.f_blocks ? stats.f_bfree : stats.f_blocks;
    fs.used_bytes = static_cast<std::uint64_t>(stats.f_blocks - free_blocks) * fragment;
    fs.available_bytes = static_cast<std::uint64_t>(stats.f_bavail) * fragment;
    return fs;
}

std::vector<model::Filesystem> read_filesystems(const std::filesystem::path& mountinfo_path,
                                                const std::filesystem::path& root_prefix) {
    MountTable mounts(mountinfo_path);
    return read_filesystems(mounts, root_prefix);
}

std::vector<model::Filesystem> read_filesystems(MountTable& mounts, const std::filesystem::path& root_prefix) {
    std::vector<model::Filesystem> out;
    for (const auto& mount : mounts.disk_mounts()) {
        struct statvfs stats {};
        int rc = 0;
        do {
            rc = ::statvfs(statvfs_path(root_prefix, mount.mount_point).c_str(), &stats);
        } while (rc != 0 && errno == EINTR);
        // Unmounted since mountinfo was read, or not visible from here: not an error of the host source.
        if (rc != 0 || stats.f_blocks == 0) continue;
        out.push_back(to_filesystem(mount, stats));
    }
    return out;
}

}  // namespace cmon::sources
