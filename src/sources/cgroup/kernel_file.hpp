// A kernel text file (cgroup, /proc) kept open between samples. Reading it again with pread at offset 0
// makes the kernel generate it anew (seq_file restarts at position 0), so each later sample costs one
// read instead of open + read + close and the path walk: the difference that matters at 100+ containers.
// The open descriptor also pins what it was opened for: a removed cgroup then fails the read (ENODEV),
// which tells the owner to locate the container again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace cmon::sources {

class KernelFileBatch;

class KernelFile {
public:
    // seq_file fills the caller's buffer record by record and stops early only when its own buffer (a page,
    // 4 KiB at least; grown to fit a record bigger than that) cannot take the next record. The cgroup files
    // read here are one record each (memory.stat too), /proc/<pid>/net/dev lines ~130 bytes. So a read that
    // came back shorter than this (a page less 512 bytes) and than asked for is the end of the file: no
    // extra read for EOF, even for a cgroup v2 memory.stat (2-2.5 KB).
    static constexpr std::size_t kShortReadIsEnd = 4096 - 512;

    KernelFile() = default;
    // An empty KernelFile when the file cannot be opened (absent, vanished, no permission). Opened with
    // O_NONBLOCK: cgroup and procfs files ignore it when read, but it tells io_uring that a read may be
    // issued inline (KernelFileBatch), and a FIFO planted where a cgroup file should be cannot block open.
    static KernelFile open(const std::filesystem::path& path);

    explicit operator bool() const { return static_cast<bool>(fd_); }
    // The whole file as it is now: the returned view is the start of `buffer`, which is reused between calls
    // and may be longer than the text. nullopt when it is not open or the read failed (the cgroup or
    // process is gone).
    std::optional<std::string_view> read(std::string& buffer) const { return read_rest(buffer, 0); }
    // The same when the first `have` bytes of `buffer` already hold the start of the file (read earlier in
    // this sample): reading goes on from offset `have`.
    std::optional<std::string_view> read_rest(std::string& buffer, std::size_t have) const;

private:
    friend class KernelFileBatch;
    explicit KernelFile(int fd) : fd_(fd) {}
    util::UniqueFd fd_;
    // Bytes the last read returned: KernelFileBatch sizes this file's slot from it.
    mutable std::uint32_t last_size_ = 0;
};

}  // namespace cmon::sources
