#include "sources/cgroup/kernel_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace cmon::sources {

namespace {

constexpr std::size_t kChunk = 8192;
constexpr std::size_t kMaxBytes = 4 << 20;
// seq_file fills the caller's buffer record by record and stops early only when its own page-sized buffer
// cannot take the next record; cgroup files are one record, /proc/<pid>/net/dev lines are ~130 bytes. So a
// read that came back shorter than this and than asked for is the end of the file: no extra read for EOF.
constexpr std::size_t kShortReadIsEnd = 2048;

}  // namespace

KernelFile KernelFile::open(const std::filesystem::path& path) {
    return KernelFile(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

KernelFile::~KernelFile() {
    if (fd_ >= 0) ::close(fd_);
}

KernelFile::KernelFile(KernelFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

KernelFile& KernelFile::operator=(KernelFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

std::optional<std::string_view> KernelFile::read(std::string& buffer) const {
    if (fd_ < 0) return std::nullopt;
    // The buffer only grows: resizing it down and up again would zero-fill kChunk bytes per read, which
    // costs more than the read of a small cgroup file. The text is its first `size` bytes.
    std::size_t size = 0;
    while (size < kMaxBytes) {
        if (buffer.size() < size + kChunk) buffer.resize(size + kChunk);
        const ssize_t n = ::pread(fd_, buffer.data() + size, kChunk, static_cast<off_t>(size));
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        size += static_cast<std::size_t>(n);
        if (n == 0 || static_cast<std::size_t>(n) < kShortReadIsEnd) break;
    }
    return std::string_view(buffer.data(), size);
}

}  // namespace cmon::sources
