#include "sources/docker/daemon_probe.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cmon::sources {

namespace {

// A socket connected to `path`; -1 when nothing listens, -2 when the listener's backlog is full (it is
// there, just busy), -3 when we cannot tell (out of descriptors).
int connect_unix(const std::string& path) {
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof(address.sun_path)) return -1;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -3;  // out of descriptors: cannot tell
    int rc = 0;
    do {
        rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) return fd;
    const int error = errno;
    ::close(fd);
    // EAGAIN: a non-blocking connect to a listener whose backlog is full; it is there, just busy.
    return error == EAGAIN || error == EINPROGRESS ? -2 : -1;
}

}  // namespace

bool unix_socket_listening(const std::string& path) {
    const int fd = connect_unix(path);
    if (fd >= 0) ::close(fd);
    return fd != -1;  // -2 busy, -3 unknown: let the real request find out
}

std::optional<int> unix_socket_listener_pid(const std::string& path) {
    const int fd = connect_unix(path);
    if (fd < 0) return std::nullopt;
    ucred peer{};
    socklen_t size = sizeof(peer);
    const bool got = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) == 0 && peer.pid > 0;
    ::close(fd);
    return got ? std::optional<int>(peer.pid) : std::nullopt;
}

}  // namespace cmon::sources
