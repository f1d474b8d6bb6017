// A kernel text file (cgroup, /proc) kept open between samples. Reading it again with pread at offset 0
// makes the kernel generate it anew (seq_file restarts at position 0), so each later sample costs one
// read instead of open + read + close and the path walk: the difference that matters at 100+ containers.
// The open descriptor also pins what it was opened for: a removed cgroup then fails the read (ENODEV),
// which tells the owner to locate the container again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

class KernelFile {
public:
    KernelFile() = default;
    // An empty KernelFile when the file cannot be opened (absent, vanished, no permission).
    static KernelFile open(const std::filesystem::path& path);
    ~KernelFile();
    KernelFile(KernelFile&& other) noexcept;
    KernelFile& operator=(KernelFile&& other) noexcept;
    KernelFile(const KernelFile&) = delete;
    KernelFile& operator=(const KernelFile&) = delete;

    explicit operator bool() const { return fd_ >= 0; }
    // The whole file as it is now: the returned view is the start of `buffer`, which is reused between calls
    // and may be longer than the text. nullopt when it is not open or the read failed (the cgroup or
    // process is gone).
    std::optional<std::string_view> read(std::string& buffer) const;

private:
    explicit KernelFile(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace cmon::sources
