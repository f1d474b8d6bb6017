// An in-process stand-in for dockerd on a unix socket in a temp dir: answers each request with what the
// test's handler returns for its request line, and records the request lines in order, so a test can assert
// which requests a client made. One connection at a time; connections that send nothing (a probe that only
// connects) are not recorded. Stops in its destructor.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cmon::testing {

// A complete HTTP/1.1 response with a JSON body.
inline std::string http_response(const std::string& body, int status = 200) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

class FakeDockerDaemon {
public:
    using Handler = std::function<std::string(const std::string& request_line)>;

    explicit FakeDockerDaemon(Handler handler) : handler_(std::move(handler)) {
        char tmpl[] = "/tmp/cmon-fake-dockerd-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("fake dockerd: mkdtemp failed");
        dir_ = tmpl;
        path_ = dir_ + "/docker.sock";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd_, 16) != 0) {
            throw std::runtime_error("fake dockerd: cannot listen on " + path_);
        }
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDockerDaemon() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    FakeDockerDaemon(const FakeDockerDaemon&) = delete;
    FakeDockerDaemon& operator=(const FakeDockerDaemon&) = delete;

    std::string endpoint() const { return "unix://" + path_; }
    // Request lines so far ("GET /v1.41/containers/json?all=0 HTTP/1.1"), oldest first.
    std::vector<std::string> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    void clear_requests() {
        std::lock_guard lock(mutex_);
        requests_.clear();
    }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::read(client, buf, sizeof(buf));
                if (n <= 0) break;
                request.append(buf, static_cast<std::size_t>(n));
            }
            const std::string line = request.substr(0, request.find("\r\n"));
            if (!line.empty()) {
                {
                    std::lock_guard lock(mutex_);
                    requests_.push_back(line);
                }
                const std::string reply = handler_(line);
                for (std::size_t off = 0; off < reply.size();) {
                    const ssize_t n = ::send(client, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
                    if (n <= 0) break;
                    off += static_cast<std::size_t>(n);
                }
            }
            ::close(client);
        }
    }

    Handler handler_;
    std::string dir_;
    std::string path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> requests_;
};

}  // namespace cmon::testing
