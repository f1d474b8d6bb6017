// EngineNameClient against an in-process daemon on a unix socket (ctest label `system`), with a test clock:
// the name is fetched once and kept, fetched again after refresh_every, and while Docker does not answer the
// last name stays and Docker is asked again only after retry_after.
#include "sources/docker/engine_name_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <mutex>
#include <string>
#include <thread>

#include "fakes/fake_clock.hpp"
#include "util/error.hpp"

namespace cmon::sources {
namespace {

using namespace std::chrono_literals;

// Answers GET /version and GET /<version>/info with the name it holds now, or HTTP 500 while failing;
// counts the /info requests.
class InfoDaemon {
public:
    InfoDaemon() {
        char tmpl[] = "/tmp/cmon-info-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/docker.sock";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        EXPECT_EQ(::listen(fd_, 16), 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~InfoDaemon() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    InfoDaemon(const InfoDaemon&) = delete;
    InfoDaemon& operator=(const InfoDaemon&) = delete;

    std::string endpoint() const { return "unix://" + path_; }
    void set_name(std::string name) {
        std::lock_guard lock(mutex_);
        name_ = std::move(name);
    }
    void set_failing(bool failing) {
        std::lock_guard lock(mutex_);
        failing_ = failing;
    }
    int info_requests() const {
        std::lock_guard lock(mutex_);
        return info_requests_;
    }

private:
    static std::string response(int status, const std::string& body) {
        return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    std::string answer(const std::string& line) {
        std::lock_guard lock(mutex_);
        if (line.starts_with("GET /version ")) return response(200, R"({"Version":"27.0","ApiVersion":"1.45"})");
        if (line.find("/info ") != std::string::npos) {
            ++info_requests_;
            if (failing_) return response(500, R"({"message":"daemon busy"})");
            return response(200, R"({"ID":"x","Name":")" + name_ + R"(","NCPU":8})");
        }
        return response(404, R"({"message":"page not found"})");
    }
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
            const std::string reply = answer(request.substr(0, request.find("\r\n")));
            for (std::size_t off = 0; off < reply.size();) {
                const ssize_t n = ::send(client, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
                if (n <= 0) break;
                off += static_cast<std::size_t>(n);
            }
            ::close(client);
        }
    }

    std::string dir_;
    std::string path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::string name_ = "gpu-host-1";
    bool failing_ = false;
    int info_requests_ = 0;
};

EngineNameOptions options() {
    EngineNameOptions o;
    o.refresh_every = 600s;
    o.retry_after = 30s;
    return o;
}

// The client fetches on its own thread and name() never waits for it: wait (with a deadline) until the
// condition holds. `step` advances the fake clock each round, for a fetch that becomes due only once the
// client has recorded the previous attempt's time.
template <class Condition>
bool eventually(Condition condition, testing::FakeClock* clock = nullptr, std::chrono::seconds step = 0s) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        if (clock != nullptr) clock->advance(step);
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

TEST(EngineNameClient, FetchesOnceAndKeepsTheNameUntilTheRefresh) {
    InfoDaemon daemon;
    testing::FakeClock clock;
    EngineNameClient client(daemon.endpoint(), clock, options());
    EXPECT_TRUE(client.local());
    ASSERT_TRUE(eventually([&] { return daemon.info_requests() == 1; }))
        << "the first fetch starts at construction, before anyone asks for the name";
    ASSERT_TRUE(eventually([&] { return client.name() == "gpu-host-1"; }));
    EXPECT_EQ(daemon.info_requests(), 1);
    daemon.set_name("renamed-host");
    clock.advance(599s);
    EXPECT_EQ(client.name(), "gpu-host-1") << "kept until refresh_every has passed";
    EXPECT_EQ(daemon.info_requests(), 1);
    clock.advance(1s);
    ASSERT_TRUE(eventually([&] { return client.name() == "renamed-host"; }));
    EXPECT_EQ(daemon.info_requests(), 2);
}

TEST(EngineNameClient, WhileDockerFailsTheLastNameStaysAndItIsAskedOnlyEveryRetryPeriod) {
    InfoDaemon daemon;
    testing::FakeClock clock;
    EngineNameClient client(daemon.endpoint(), clock, options());
    ASSERT_TRUE(eventually([&] { return client.name() == "gpu-host-1"; }));
    daemon.set_failing(true);
    clock.advance(600s);
    EXPECT_EQ(client.name(), "gpu-host-1") << "the last name while the refresh runs";
    ASSERT_TRUE(eventually([&] { return daemon.info_requests() == 2; }));
    for (int i = 0; i < 5; ++i) {
        clock.advance(5s);
        EXPECT_EQ(client.name(), "gpu-host-1");
    }
    EXPECT_EQ(daemon.info_requests(), 2) << "no request before retry_after";
    daemon.set_failing(false);
    daemon.set_name("back-again");
    clock.advance(5s);  // 30 s since the failed attempt
    ASSERT_TRUE(eventually([&] { return client.name() == "back-again"; }, &clock, 1s));
    EXPECT_EQ(daemon.info_requests(), 3);
}

TEST(EngineNameClient, NoNameUntilDockerHasAnsweredOnce) {
    InfoDaemon daemon;
    daemon.set_failing(true);
    testing::FakeClock clock;
    EngineNameClient client(daemon.endpoint(), clock, options());
    ASSERT_TRUE(eventually([&] { return daemon.info_requests() == 1; }));
    EXPECT_EQ(client.name(), std::nullopt);
    clock.advance(29s);
    EXPECT_EQ(client.name(), std::nullopt);
    EXPECT_EQ(daemon.info_requests(), 1);
    daemon.set_failing(false);
    clock.advance(1s);
    ASSERT_TRUE(eventually([&] { return client.name() == "gpu-host-1"; }, &clock, 1s));
}

TEST(EngineNameClient, AnUnreachableDaemonIsNoNameAndNoThrow) {
    testing::FakeClock clock;
    EngineNameClient client("unix:///tmp/cmon-no-such-dir/docker.sock", clock, options());
    std::optional<std::string> name;
    EXPECT_NO_THROW(name = client.name());
    EXPECT_EQ(name, std::nullopt);
}

TEST(EngineNameClient, TcpIsNotLocalAndAnUnusableEndpointThrows) {
    testing::FakeClock clock;
    EXPECT_FALSE(EngineNameClient("tcp://127.0.0.1:1", clock, options()).local());
    EXPECT_THROW(EngineNameClient("ftp://example", clock, options()), util::Error);
}

}  // namespace
}  // namespace cmon::sources
