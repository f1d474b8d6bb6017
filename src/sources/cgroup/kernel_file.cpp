#include "sources/cgroup/kernel_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace cmon::sources {

namespace {

constexpr std::size_t kChunk = 8192;
constexpr std::size_t kMaxBytes = 4 << 20;

}  // namespace

KernelFile KernelFile::open(const std::filesystem::path& path) {
    return KernelFile(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
}

std::optional<std::string_view> KernelFile::read_rest(std::string& buffer, std::size_t have) const {
    if (!fd_) return std::nullopt;
    // The buffer only grows: resizing it down and up again would zero-fill kChunk bytes per read, which
    // costs more than the read of a small cgroup file. The text is its first `size` bytes.
    std::size_t size = have;
    while (size < kMaxBytes) {
        if (buffer.size() < size + kChunk) buffer.resize(size + kChunk);
        const ssize_t n = ::pread(fd_.get(), buffer.data() + size, kChunk, static_cast<off_t>(size));
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        size += static_cast<std::size_t>(n);
        if (n == 0 || static_cast<std::size_t>(n) < kShortReadIsEnd) break;
    }
    last_size_ = static_cast<std::uint32_t>(size);
    return std::string_view(buffer.data(), size);
}

}  // namespace cmon::sources
