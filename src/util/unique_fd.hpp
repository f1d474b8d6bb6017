// The one owner of a file descriptor: closes it exactly once, when the owner goes or takes another.
// Move-only. Every descriptor the monitor keeps (kernel files, pidfds, probe sockets) lives in one of these,
// so no code path closes by hand.
#pragma once

#include <unistd.h>

#include <utility>

namespace cmon::util {

class UniqueFd {
public:
    UniqueFd() = default;
    // Takes ownership of `fd`; a negative value (a failed open) makes an empty owner.
    explicit UniqueFd(int fd) noexcept : fd_(fd < 0 ? -1 : fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    explicit operator bool() const noexcept { return fd_ >= 0; }
    // The descriptor, still owned here; -1 when empty.
    int get() const noexcept { return fd_; }
    // Gives the descriptor up without closing it; the caller owns it.
    int release() noexcept { return std::exchange(fd_, -1); }
    // Closes what is held (close(2) errors on a read-only descriptor carry nothing to act on) and takes `fd`.
    void reset(int fd = -1) noexcept {
        const int old = std::exchange(fd_, fd < 0 ? -1 : fd);
        if (old >= 0) ::close(old);
    }

private:
    int fd_ = -1;
};

}  // namespace cmon::util
