// A host /proc file read every sample, kept open between samples when it is on procfs: each later read is
// one pread at offset 0 (the kernel generates the text anew) instead of a path walk, open, read and close.
// Several candidate paths may be given (pid 1's /proc/1/net/dev, then our own /proc/net/dev): the first that
// opens is used. Where the file is not on procfs (a fixture tree in tests, which tests replace by rename) it
// is opened by path on every read, exactly as before, so a replaced file is always seen.
//
// A kept descriptor stays on the candidate it first opened: on procfs whether /proc/1/net is readable to us
// does not change while we run, and pid 1 (whose network namespace it shows) outlives us. A read that fails
// (the file went away) drops it, and the next read starts from the first candidate again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/cgroup/kernel_file.hpp"

namespace cmon::sources {

// Whether `path` lies on procfs (a statfs): what is kept open, or read another way, only there.
bool on_procfs(const std::filesystem::path& path);

class KeptProcFile {
public:
    explicit KeptProcFile(std::vector<std::filesystem::path> candidates);
    explicit KeptProcFile(std::filesystem::path path);

    // The file's text as it is now (a view into this object's buffer, valid until the next read), or
    // nullopt when no candidate can be read.
    std::optional<std::string_view> read();
    // Whether a descriptor is held between reads (the file is on procfs).
    bool kept() const { return static_cast<bool>(file_); }
    // The candidate the last successful read came from.
    const std::filesystem::path& source() const { return candidates_[source_]; }

private:
    std::vector<std::filesystem::path> candidates_;
    KernelFile file_;
    std::size_t source_ = 0;
    std::string buffer_;
};

}  // namespace cmon::sources
