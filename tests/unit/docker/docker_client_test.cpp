// DockerClient against an in-process fake daemon on a unix socket in a temp dir (no real dockerd): version
// negotiation, re-negotiation after a failure, chunked bodies, size limit, timeouts, error messages.
#include "sources/docker/docker_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>
#include <vector>

#include "util/error.hpp"

namespace cmon::sources {
namespace {

std::string http_response(const std::string& body, int status = 200) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// Answers each connection with handler(request line). Stops in its destructor.
class FakeDaemon {
public:
    using Handler = std::function<std::string(const std::string& request_line)>;

    explicit FakeDaemon(Handler handler) : handler_(std::move(handler)) {
        char tmpl[] = "/tmp/cmon-fake-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/docker.sock";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        EXPECT_EQ(::listen(fd_, 16), 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDaemon() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    std::string endpoint() const { return "unix://" + path_; }
    std::vector<std::string> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            int client = ::accept(fd_, nullptr, nullptr);
            if (client < 0) {
                continue;
            }
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::read(client, buf, sizeof(buf));
                if (n <= 0) {
                    break;
                }
                request.append(buf, static_cast<std::size_t>(n));
            }
            std::string line = request.substr(0, request.find("\r\n"));
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(line);
            }
            std::string reply = handler_(line);
            for (std::size_t off = 0; off < reply.size();) {
                ssize_t n = ::send(client, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
                if (n <= 0) {
                    break;
                }
                off += static_cast<std::size_t>(n);
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

DockerClient client_for(const std::string& endpoint, DockerClientOptions options = {}) {
    return DockerClient(*parse_docker_host(endpoint, {}), options);
}

std::string version_body(const std::string& api) { return R"({"Version":"x","ApiVersion":")" + api + R"("})"; }

TEST(DockerClient, NegotiatesOnceAndUsesTheLowerVersion) {
    FakeDaemon daemon([](const std::string& line) {
        return line.starts_with("GET /version ") ? http_response(version_body("1.41")) : http_response("[]");
    });
    auto client = client_for(daemon.endpoint());
    EXPECT_EQ(client.get(DockerRequest::containers_list()).body, "[]");
    EXPECT_EQ(client.get(DockerRequest::containers_list()).status, 200u);
    EXPECT_EQ(daemon.requests(),
              (std::vector<std::string>{"GET /version HTTP/1.1", "GET /v1.41/containers/json?all=0 HTTP/1.1",
                                        "GET /v1.41/containers/json?all=0 HTTP/1.1"}));
}

TEST(DockerClient, NewerServerGetsOurMaximum) {
    FakeDaemon daemon([](const std::string&) { return http_response(version_body("1.51")); });
    auto client = client_for(daemon.endpoint());
    EXPECT_EQ(client.api_version(), "1.45");
}

TEST(DockerClient, HttpErrorsAreReturnedNotThrown) {
    FakeDaemon daemon([](const std::string& line) {
        return line.starts_with("GET /version ") ? http_response(version_body("1.41"))
                                                 : http_response(R"({"message":"No such container: x"})", 404);
    });
    auto client = client_for(daemon.endpoint());
    auto response = client.get(DockerRequest::container_inspect("x"));
    EXPECT_EQ(response.status, 404u);
    EXPECT_FALSE(response.ok());
}

TEST(DockerClient, DecodesChunkedBodies) {
    FakeDaemon daemon([](const std::string& line) {
        if (line.starts_with("GET /version ")) {
            return http_response(version_body("1.41"));
        }
        return std::string(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n[{}\r\n2\r\n,{\r\n2\r\n}]\r\n0\r\n\r\n");
    });
    auto client = client_for(daemon.endpoint());
    EXPECT_EQ(client.get(DockerRequest::containers_list()).body, "[{},{}]");
}

TEST(DockerClient, RefusesOversizedBodies) {
    FakeDaemon daemon([](const std::string& line) {
        return line.starts_with("GET /version ") ? http_response(version_body("1.41"))
                                                 : http_response(std::string(5000, 'x'));
    });
    DockerClientOptions options;
    options.body_limit = 4096;
    auto client = client_for(daemon.endpoint(), options);
    try {
        client.get(DockerRequest::containers_list());
        FAIL() << "no exception";
    } catch (const util::Error& e) {
        EXPECT_NE(std::string(e.what()).find("larger than 4096 bytes"), std::string::npos) << e.what();
    }
}

TEST(DockerClient, RefusesOversizedChunkedBodies) {
    FakeDaemon daemon([](const std::string& line) {
        if (line.starts_with("GET /version ")) {
            return http_response(version_body("1.41"));
        }
        return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + std::string(5000, 'x') +
               "\r\n0\r\n\r\n";
    });
    DockerClientOptions options;
    options.body_limit = 4096;
    auto client = client_for(daemon.endpoint(), options);
    EXPECT_THROW(client.get(DockerRequest::containers_list()), util::Error);
}

// A request the fake daemon holds until the test lets it go (or a guard of 60 s runs out, so that a client
// without a read timeout ends with an answer, and the test with "no exception", instead of hanging).
class Gate {
public:
    void wait() {
        std::unique_lock lock(mutex_);
        opened_.wait_for(lock, std::chrono::seconds(60), [this] { return open_; });
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        opened_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable opened_;
    bool open_ = false;
};

TEST(DockerClient, ReadTimeout) {
    Gate gate;  // outlives the daemon, whose thread waits on it
    FakeDaemon daemon([&gate](const std::string& line) {
        if (line.starts_with("GET /version ")) {
            return http_response(version_body("1.41"));
        }
        gate.wait();  // the fake "hangs" until the client has given up
        return http_response("[]");
    });
    DockerClientOptions options;
    options.read_timeout = std::chrono::milliseconds(100);
    auto client = client_for(daemon.endpoint(), options);
    try {
        client.get(DockerRequest::containers_list());
        ADD_FAILURE() << "no exception: the answer came although the daemon never sent one within the timeout";
    } catch (const util::Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "docker: GET /containers/json: no response after 100 ms (" + daemon.endpoint() + ")");
    }
    gate.open();
}

TEST(DockerClient, MissingSocketIsAReadableError) {
    auto client = client_for("unix:///tmp/cmon-no-such-dir/docker.sock");
    try {
        client.get(DockerRequest::containers_list());
        FAIL() << "no exception";
    } catch (const util::Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "docker: GET /containers/json: no such file or directory (unix:///tmp/cmon-no-such-dir/docker.sock)");
    }
}

TEST(DockerClient, ConnectionRefusedOnTcp) {
    // Port 1 on loopback: nothing listens there and connect fails at once.
    auto client = client_for("tcp://127.0.0.1:1");
    try {
        client.get(DockerRequest::containers_list());
        FAIL() << "no exception";
    } catch (const util::Error& e) {
        EXPECT_EQ(std::string(e.what()), "docker: GET /containers/json: connection refused (tcp://127.0.0.1:1)");
    }
}

TEST(DockerClient, NegotiatesAgainAfterAFailedExchange) {
    // 0: an old engine; 1: restarting (connection closed without a reply); 2: an upgraded engine.
    std::atomic<int> phase{0};
    FakeDaemon daemon([&phase](const std::string& line) {
        if (phase == 1) {
            return std::string();
        }
        if (line.starts_with("GET /version ")) {
            return http_response(version_body(phase == 0 ? "1.40" : "1.44"));
        }
        return http_response("[]");
    });
    auto client = client_for(daemon.endpoint());
    EXPECT_EQ(client.get(DockerRequest::containers_list()).status, 200u);
    phase = 1;
    EXPECT_THROW(client.get(DockerRequest::containers_list()), util::Error);
    phase = 2;
    EXPECT_EQ(client.get(DockerRequest::containers_list()).status, 200u);
    EXPECT_EQ(daemon.requests(),
              (std::vector<std::string>{"GET /version HTTP/1.1", "GET /v1.40/containers/json?all=0 HTTP/1.1",
                                        "GET /v1.40/containers/json?all=0 HTTP/1.1", "GET /version HTTP/1.1",
                                        "GET /v1.44/containers/json?all=0 HTTP/1.1"}));
}

}  // namespace
}  // namespace cmon::sources
