#include "sources/cgroup/cgroup_mounts.hpp"

#include <string>
#include <string_view>
#include <system_error>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

namespace fs = std::filesystem;

bool path_exists(const fs::path& path) {
    std::error_code ec;
    return fs::exists(path, ec);
}

// Picks the directory for `controller`: an exact name wins (systemd adds "cpuacct" -> "cpu,cpuacct" links),
// else a co-mounted one whose comma-separated name lists it.
void assign(fs::path& slot, bool& exact, const fs::path& dir, std::string_view name, std::string_view controller) {
    if (name == controller) {
        slot = dir;
        exact = true;
        return;
    }
    if (exact || !slot.empty()) return;
    for (auto part : util::split(name, ',')) {
        if (part == controller) {
            slot = dir;
            return;
        }
    }
}

}  // namespace

CgroupMounts detect_cgroup_mounts(const fs::path& cgroup_root) {
    CgroupMounts mounts;
    if (path_exists(cgroup_root / "cgroup.controllers")) {
        mounts.version = CgroupVersion::v2;
        mounts.unified = cgroup_root;
        return mounts;
    }
    std::error_code ec;
    fs::directory_iterator it(cgroup_root, ec);
    if (ec) return mounts;
    bool exact_cpuacct = false;
    bool exact_memory = false;
    bool exact_blkio = false;
    bool exact_pids = false;
    bool exact_cpu = false;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) break;
        std::error_code dir_ec;
        if (!fs::is_directory(it->path(), dir_ec)) continue;  // follows systemd's compatibility symlinks
        const std::string name = it->path().filename().string();
        assign(mounts.cpuacct, exact_cpuacct, it->path(), name, "cpuacct");
        assign(mounts.memory, exact_memory, it->path(), name, "memory");
        assign(mounts.blkio, exact_blkio, it->path(), name, "blkio");
        assign(mounts.pids, exact_pids, it->path(), name, "pids");
        assign(mounts.cpu, exact_cpu, it->path(), name, "cpu");
    }
    const bool any_v1 =
        !mounts.cpuacct.empty() || !mounts.memory.empty() || !mounts.blkio.empty() || !mounts.pids.empty();
    if (!any_v1) return mounts;
    mounts.version = CgroupVersion::v1;
    if (path_exists(cgroup_root / "unified" / "cgroup.controllers")) {
        mounts.version = CgroupVersion::hybrid;
        mounts.unified = cgroup_root / "unified";
    }
    return mounts;
}

}  // namespace cmon::sources
