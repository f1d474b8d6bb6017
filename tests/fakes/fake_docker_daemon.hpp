// An in-process stand-in for dockerd on a unix socket in a temp dir: answers each request with what the
// test's handler returns for its request line, and records the request lines in order, so a test can assert
// which requests a client made. One connection at a time; connections that send nothing (a probe that only
// connects) are not recorded. A connection whose request line the hold predicate accepts stays open after
// its answer (a stream: GET /events without until), for push() to send more on. Stops in its destructor.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cmon::testing {

// The head of a streamed response (dockerd's GET /events): chunked, no end.
inline std::string http_stream_head() {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
}

// One chunk of a chunked body.
inline std::string http_chunk(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    return size + data + "\r\n";
}

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
        close_held();
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
    // Which connections stay open after their answer, by request line.
    void hold(std::function<bool(const std::string& request_line)> predicate) {
        std::lock_guard lock(mutex_);
        hold_ = std::move(predicate);
    }
    // Connections held open now.
    std::size_t held() {
        std::lock_guard lock(mutex_);
        return held_.size();
    }
    // Sends `bytes` on every held connection (in the client's socket buffer when this returns).
    void push(const std::string& bytes) {
        std::lock_guard lock(mutex_);
        for (const int client : held_) send_all(client, bytes);
    }
    // Closes the held connections: the client reads the end of its stream.
    void close_held() {
        std::lock_guard lock(mutex_);
        for (const int client : held_) ::close(client);
        held_.clear();
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
                send_all(client, reply);
                std::lock_guard lock(mutex_);
                if (hold_ && hold_(line)) {
                    held_.push_back(client);
                    continue;
                }
            }
            ::close(client);
        }
    }

    static void send_all(int client, const std::string& bytes) {
        for (std::size_t off = 0; off < bytes.size();) {
            const ssize_t n = ::send(client, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
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
    std::function<bool(const std::string&)> hold_;
    std::vector<int> held_;
};

}  // namespace cmon::testing
