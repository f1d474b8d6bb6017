// Reads the host's real-disk filesystems: mountinfo through HostPaths, sizes through statvfs(3).
#pragma once

#include <sys/statvfs.h>

#include <filesystem>
#include <vector>

#include "model/snapshot.hpp"
#include "sources/host/mount_table.hpp"
#include "sources/host/mountinfo_parser.hpp"

namespace cmon::sources {

// Mounts chosen by select_disk_mounts() from <mountinfo_path>, sized with statvfs on root_prefix + mount
// point (root_prefix is empty on the host, "/proc/1/root" or "/host" for a containerized monitor).
// A mount whose statvfs fails or that reports zero blocks is skipped; a missing mountinfo gives none.
std::vector<model::Filesystem> read_filesystems(const std::filesystem::path& mountinfo_path,
                                                const std::filesystem::path& root_prefix);
// The same with the mounts of a kept MountTable (mountinfo parsed again only when it changed); the
// sizes are new on every call.
std::vector<model::Filesystem> read_filesystems(MountTable& mounts, const std::filesystem::path& root_prefix);

// Sizes as `df` shows them: total = f_blocks*f_frsize, used = (f_blocks-f_bfree)*f_frsize,
// available = f_bavail*f_frsize (what unprivileged users may still write). Pure.
model::Filesystem to_filesystem(const MountEntry& mount, const struct statvfs& stats);

}  // namespace cmon::sources
