// The host's disk mounts from mountinfo, parsed again only when the mount table changed. A host with
// a hundred containers has a mountinfo of hundreds of lines (their shm and overlay mounts): too much to
// generate and parse every sample for a table that changes when someone mounts something.
//
// The kernel says when: a kept-open /proc/<pid>/mountinfo polls with POLLPRI (and POLLERR) once the
// mount namespace's table changed since the last poll (proc(5), /proc/pid/mounts). Where the file is not
// on procfs (a fixture tree in tests) there is no such signal and it is read every time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sources/host/mountinfo_parser.hpp"
#include "util/unique_fd.hpp"

namespace cmon::sources {

class MountTable {
public:
    explicit MountTable(std::filesystem::path mountinfo);

    // select_disk_mounts() of the table as it is now; empty when mountinfo cannot be read.
    const std::vector<MountEntry>& disk_mounts();
    // How many times the file was read and parsed (tests, benchmarks).
    std::uint64_t reads() const { return reads_; }

private:
    bool changed();
    void reload();

    std::filesystem::path path_;
    util::UniqueFd fd_;
    bool pollable_ = false;  // on procfs: POLLPRI says when to read again
    bool loaded_ = false;
    std::vector<MountEntry> mounts_;
    std::string buffer_;
    std::uint64_t reads_ = 0;
};

}  // namespace cmon::sources
