#include "sources/docker/event_stream.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace cmon::sources {

EventStream EventStream::open(const std::string& socket_path, const std::string& target) {
    sockaddr_un address{};
    if (socket_path.size() >= sizeof(address.sun_path)) return {};
    util::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    // A unix stream connect completes at once or fails (EAGAIN: the daemon's backlog is full).
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return {};
    // The same head as DockerClient's requests.
    const std::string request = "GET " + target +
                                " HTTP/1.1\r\nHost: docker\r\nUser-Agent: container-monitor\r\n"
                                "Accept: application/json\r\n\r\n";
    const ssize_t sent = ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request.size())) return {};
    return EventStream(std::move(fd));
}

EventStream::Read EventStream::read() {
    Read out;
    if (!fd_) return out;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(fd_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
        if (n > 0) {
            for (auto& event : decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n))))
                out.events.push_back(std::move(event));
            if (decoder_.failed() || decoder_.ended()) {
                out.reason = decoder_.reason();
                break;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return out;
        out.reason = n == 0 ? "the daemon closed the stream" : std::string("recv: ") + std::strerror(errno);
        break;
    }
    out.over = true;
    out.refused = decoder_.failed() && decoder_.status() != 200;  // failed in the head
    fd_.reset();
    return out;
}

}  // namespace cmon::sources
