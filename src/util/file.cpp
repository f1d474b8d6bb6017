#include "util/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "util/unique_fd.hpp"

namespace cmon::util {

std::optional<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    char buffer[8192];
    while (out.size() < max_bytes) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace cmon::util
