// daemon_probe: the connect-only liveness check and the listener's pid, against a socket this test listens on.
#include "sources/docker/daemon_probe.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

class Listener {
public:
    explicit Listener(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0 &&
              ::listen(fd_, 16) == 0;
    }
    ~Listener() { close(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    bool ok() const { return ok_; }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
    bool ok_ = false;
};

TEST(DaemonProbe, ListeningSocketAndItsPid) {
    const fs::path dir = fs::temp_directory_path() / ("cmon-probe-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "d.sock").string();
    {
        Listener listener(path);
        ASSERT_TRUE(listener.ok());
        EXPECT_TRUE(unix_socket_listening(path));
        EXPECT_EQ(unix_socket_listener_pid(path), ::getpid());
        listener.close();  // the file stays, as after a killed dockerd: nobody listens
        EXPECT_TRUE(fs::exists(path));
        EXPECT_FALSE(unix_socket_listening(path));
        EXPECT_EQ(unix_socket_listener_pid(path), std::nullopt);
    }
    fs::remove_all(dir);
    EXPECT_FALSE(unix_socket_listening(path));  // no file at all
    EXPECT_FALSE(unix_socket_listening(""));
    EXPECT_FALSE(unix_socket_listening(std::string(200, 'x')));  // longer than sun_path
    EXPECT_EQ(unix_socket_listener_pid(path), std::nullopt);
}

}  // namespace
}  // namespace cmon::sources
