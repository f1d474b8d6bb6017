// A Docker daemon that takes 3 s to answer GET /info does not delay samples: the engine-name lookup
// runs on EngineNameClient's own thread. A fake daemon on a unix socket (GET /version at once, /info
// held); HostSource with the "docker" hostname policy on the in-container fixture; the real Sampler.
// Not a unit test: a socket, threads and a wait of up to seconds.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sampling/sampler.hpp"
#include "sources/docker/engine_name_client.hpp"
#include "sources/host/host_source.hpp"
#include "util/clock.hpp"

namespace cmon::sources {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kFixture = std::filesystem::path(CMON_SOURCE_DIR) / "tests/fixtures/host/in-container";

std::string http_response(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// Answers /version at once and /info only after `info_delay` (or when released earlier).
class SlowInfoDaemon {
public:
    explicit SlowInfoDaemon(std::chrono::milliseconds info_delay) : info_delay_(info_delay) {
        char tmpl[] = "/tmp/cmon-slowinfo-XXXXXX";
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
    ~SlowInfoDaemon() {
        release();
        stop_ = true;
        thread_.join();
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }
    std::string endpoint() const { return "unix://" + path_; }
    bool info_asked() const { return info_asked_; }
    bool info_answered() const { return info_answered_; }
    void release() {
        {
            std::lock_guard lock(mutex_);
            released_ = true;
        }
        wake_.notify_all();
    }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            const int client = ::accept(fd_, nullptr, nullptr);
            if (client < 0) continue;
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::read(client, buf, sizeof(buf));
                if (n <= 0) break;
                request.append(buf, static_cast<std::size_t>(n));
            }
            std::string reply;
            if (request.find(" /version ") != std::string::npos) {
                reply = http_response(R"({"Version":"20.10.24","ApiVersion":"1.41"})");
            } else if (request.find("/info ") != std::string::npos) {
                info_asked_ = true;
                std::unique_lock lock(mutex_);
                wake_.wait_for(lock, info_delay_, [this] { return released_; });
                reply = http_response(R"({"Name":"engine-host-7"})");
            } else {
                reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            }
            if (request.find("/info ") != std::string::npos) info_answered_ = true;
            for (std::size_t off = 0; off < reply.size();) {
                const ssize_t n = ::send(client, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
                if (n <= 0) break;
                off += static_cast<std::size_t>(n);
            }
            ::close(client);
        }
    }

    const std::chrono::milliseconds info_delay_;
    std::string dir_;
    std::string path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<bool> info_asked_{false};
    std::atomic<bool> info_answered_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool released_ = false;
    std::thread thread_;
};

struct Published {
    std::uint64_t sequence;
    std::string hostname;
    bool info_answered;  // whether the daemon had answered /info when this sample was published
};

TEST(EngineName, ADaemonSlowToAnswerInfoDoesNotDelaySamples) {
    SlowInfoDaemon daemon(3s);
    util::RealClock clock;
    auto engine = std::make_shared<EngineNameClient>(daemon.endpoint(), clock);

    HostPaths paths;
    paths.proc = kFixture / "proc";
    paths.sys = kFixture / "sys";
    HostSourceOptions host_options;
    host_options.hostname.mode = HostnamePolicy::Mode::docker;
    host_options.engine_name = [engine] { return engine->name(); };
    host_options.own_root = kFixture / "own";
    std::vector<std::unique_ptr<Source>> sources;
    sources.push_back(std::make_unique<HostSource>(paths, host_options));

    sampling::SamplerOptions options;
    options.interval = 100ms;
    options.idle_pause = 0ms;
    sampling::Sampler sampler(options, std::move(sources), clock);
    std::mutex mutex;
    std::condition_variable published_cv;
    std::vector<Published> published;
    sampler.add_listener([&](const model::SnapshotPtr& snapshot) {
        const bool answered = daemon.info_answered();
        {
            std::lock_guard lock(mutex);
            published.push_back({snapshot->sequence, snapshot->host.hostname, answered});
        }
        published_cv.notify_all();
    });
    sampler.start();

    // Five samples (0.1 s apart) while the daemon sits on /info. Had the lookup run on the sampler
    // thread, the first sample would wait for the answer (3 s) and every sample would see it answered.
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(published_cv.wait_for(lock, 20s, [&] { return published.size() >= 5; }))
            << "only " << published.size() << " samples";
        for (std::size_t i = 0; i < 5; ++i) {
            EXPECT_EQ(published[i].sequence, i + 1);
            EXPECT_FALSE(published[i].info_answered) << "sample " << published[i].sequence << " waited for /info";
            EXPECT_EQ(published[i].hostname, "3f1c2a9b7d10");  // the kernel's name until Docker answers
        }
    }
    EXPECT_TRUE(daemon.info_asked());

    // Once the daemon answers, the name shows in a later sample.
    daemon.release();
    std::unique_lock lock(mutex);
    EXPECT_TRUE(published_cv.wait_for(lock, 20s, [&] {
        return !published.empty() && published.back().hostname == "engine-host-7";
    })) << "last hostname: " << published.back().hostname;
    lock.unlock();
    sampler.stop();
}

}  // namespace
}  // namespace cmon::sources
