// Parser for /proc/<pid>/mountinfo (Documentation/filesystems/proc.rst, "3.5 /proc/<pid>/mountinfo"):
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// id, parent, major:minor, root, mount point, options, optional fields..., "-", fs type, source, super options.
// Pure: no I/O.
#include "sources/host/mountinfo_parser.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Filesystems with no disk behind them. Network filesystems are left out too: statvfs on an unreachable
// NFS/CIFS server can block the collection thread for minutes.
constexpr std::string_view kSkippedTypes[] = {
    "proc", "sysfs", "cgroup", "cgroup2", "tmpfs", "devtmpfs", "devpts", "overlay", "squashfs", "nsfs",
    "autofs", "mqueue", "hugetlbfs", "debugfs", "tracefs", "securityfs", "pstore",
    "bpf", "configfs", "fusectl", "binfmt_misc", "rpc_pipefs", "efivarfs", "ramfs", "rootfs", "selinuxfs",
    "nfsd", "fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal", "fuse.snapfuse", "shm", "none", "aufs",
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.sshfs", "9p"};

constexpr std::string_view kSkippedPrefixes[] = {"/var/lib/docker", "/run/docker", "/var/lib/containerd",
                                                 "/run/containerd", "/proc", "/sys", "/dev", "/run"};

bool is_under(std::string_view path, std::string_view prefix) {
    if (!path.starts_with(prefix)) return false;
    return path.size() == prefix.size() || path[prefix.size()] == '/';
}

bool is_disk_mount(const MountEntry& mount) {
    if (std::find(std::begin(kSkippedTypes), std::end(kSkippedTypes), mount.fs_type) != std::end(kSkippedTypes)) {
        return false;
    }
    for (std::string_view prefix : kSkippedPrefixes) {
        if (is_under(mount.mount_point, prefix)) return false;
    }
    // A root other than "/" is a bind mount of a sub-directory (docker volumes, /etc/hosts of containers).
    // btrfs subvolume mounts also show a non-"/" root (/@, /@home) yet are real: keep them and let the
    // per-device dedupe below fold them into the shortest mount point.
    return mount.root == "/" || mount.fs_type == "btrfs";
}

}  // namespace

std::string decode_mount_escapes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size() && is_octal(text[i + 1]) && is_octal(text[i + 2]) &&
            is_octal(text[i + 3])) {
            int value = (text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0');
            if (value <= 0xff) {
                out.push_back(static_cast<char>(value));
                i += 3;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountEntry> out;
    for (std::string_view line : util::split_lines(text)) {
        auto fields = util::split_whitespace(line);
        auto separator = std::find(fields.begin(), fields.end(), std::string_view{"-"});
        // At least 6 fields before the separator and fs type + source after it.
        if (separator == fields.end() || separator - fields.begin() < 6 || fields.end() - separator < 3) continue;
        if (fields[2].find(':') == std::string_view::npos) continue;
        MountEntry entry;
        entry.device_number = std::string(fields[2]);
        entry.root = decode_mount_escapes(fields[3]);
        entry.mount_point = decode_mount_escapes(fields[4]);
        entry.fs_type = std::string(separator[1]);
        entry.source = decode_mount_escapes(separator[2]);
        out.push_back(std::move(entry));
    }
    return out;
}

std::vector<MountEntry> select_disk_mounts(const std::vector<MountEntry>& mounts) {
    std::map<std::string, std::size_t> best_by_device;  // device number -> index into mounts
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < mounts.size(); ++i) {
        if (!is_disk_mount(mounts[i])) continue;
        auto [it, inserted] = best_by_device.emplace(mounts[i].device_number, i);
        if (inserted) {
            order.push_back(i);
        } else if (mounts[i].mount_point.size() < mounts[it->second].mount_point.size()) {
            std::replace(order.begin(), order.end(), it->second, i);
            it->second = i;
        }
    }
    std::sort(order.begin(), order.end());
    std::vector<MountEntry> out;
    out.reserve(order.size());
    for (std::size_t i : order) out.push_back(mounts[i]);
    return out;
}

}  // namespace cmon::sources
