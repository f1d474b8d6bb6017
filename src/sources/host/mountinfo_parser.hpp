// Parser for /proc/<pid>/mountinfo and the filter that keeps only the mounts of real disks. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cmon::sources {

struct MountEntry {
    std::string device_number;  // "major:minor"
    std::string root;           // path inside the filesystem that is mounted ("/" unless a bind mount)
    std::string mount_point;    // octal escapes (\040 for space) decoded
    std::string fs_type;        // "ext4", "xfs", "fuse.sshfs", ...
    std::string source;         // "/dev/vda1", "tmpfs", ...
};

// One entry per well-formed line; malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// Decodes the kernel's octal escapes in mountinfo paths (fs/proc_namespace.c mangle(): space, tab, newline,
// backslash and '#' are written as \ooo). An escape that is not three octal digits is kept as written.
std::string decode_mount_escapes(std::string_view text);

// The mounts a `df` of real disks would show: no pseudo or network filesystems, nothing under /proc, /sys,
// /dev, /run or container runtime directories, no bind mounts of a sub-directory, and one entry per device
// (the shortest mount point). Keeps the order of mountinfo.
std::vector<MountEntry> select_disk_mounts(const std::vector<MountEntry>& mounts);

}  // namespace cmon::sources
