#include "sources/docker/daemon_probe.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/unique_fd.hpp"

namespace cmon::sources {

namespace {

enum class Probe { connected, absent, busy, unknown };

struct Connection {
    Probe probe = Probe::absent;
    util::UniqueFd fd;  // set when connected
};

// A socket connected to `path`. busy: the listener's backlog is full (it is there, just busy); unknown: we
// cannot tell (out of descriptors).
Connection connect_unix(const std::string& path) {
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof(address.sun_path)) return {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    util::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return {.probe = Probe::unknown, .fd = {}};
    int rc = 0;
    do {
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) return {.probe = Probe::connected, .fd = std::move(fd)};
    // EAGAIN: a non-blocking connect to a listener whose backlog is full; it is there, just busy.
    return {.probe = errno == EAGAIN || errno == EINPROGRESS ? Probe::busy : Probe::absent, .fd = {}};
}

}  // namespace

bool unix_socket_listening(const std::string& path) {
    return connect_unix(path).probe != Probe::absent;  // busy, unknown: let the real request find out
}

std::optional<int> unix_socket_listener_pid(const std::string& path) {
    const Connection connection = connect_unix(path);
    if (connection.probe != Probe::connected) return std::nullopt;
    ucred peer{};
    socklen_t size = sizeof(peer);
    const bool got = ::getsockopt(connection.fd.get(), SOL_SOCKET, SO_PEERCRED, &peer, &size) == 0 && peer.pid > 0;
    return got ? std::optional<int>(peer.pid) : std::nullopt;
}

}  // namespace cmon::sources
