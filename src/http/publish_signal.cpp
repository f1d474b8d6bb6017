// PublishSignal: the sampler thread's publish, an eventfd write, rung as a Broadcast on the io_context.
#include "http/publish_signal.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace cmon::http {

namespace {

util::UniqueFd make_eventfd() {
    util::UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd) throw util::Error(std::string("http: eventfd for the publish signal: ") + std::strerror(errno));
    return fd;
}

int duplicate(const util::UniqueFd& fd) {
    const int copy = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0);
    if (copy < 0) throw util::Error(std::string("http: dup of the publish signal: ") + std::strerror(errno));
    return copy;
}

}  // namespace

PublishSignal::PublishSignal(asio::io_context& io)
    : shared_(std::make_shared<Shared>()),
      reader_(io, duplicate(shared_->bell = make_eventfd())),
      rung_(io) {
    arm();
}

void PublishSignal::Shared::ring() {
    rings.fetch_add(1);
    const std::uint64_t one = 1;
    // Only a counter at its maximum (never, at one per publish) refuses: nothing to do then.
    [[maybe_unused]] const ssize_t written = ::write(bell.get(), &one, sizeof one);
}

void PublishSignal::arm() {
    reader_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        // Aborted: closed, or the descriptor is gone with this object; nothing of it may be touched.
        if (ec || closed_) return;
        // Waiting again before reading: a ring between the read and the next wait is then seen by the
        // wait, one before the read by the read.
        arm();
        std::uint64_t count = 0;
        if (::read(reader_.native_handle(), &count, sizeof count) == static_cast<ssize_t>(sizeof count) && count > 0)
            rung_.ring();
    });
}

void PublishSignal::close() {
    closed_ = true;
    boost::system::error_code ignored;
    reader_.cancel(ignored);
    rung_.close();
}

asio::awaitable<bool> PublishSignal::wait(std::uint64_t seen, std::optional<Duration> timeout) {
    const auto deadline = timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
    // On this thread nothing rings between the look at generation() and the wait on rung_: a ring
    // that came before the look is either seen by it or already read into rung_'s generation.
    while (shared_->published.load() == seen && !closed_) {
        const std::uint64_t rung = rung_.generation();
        if (!deadline) {
            co_await rung_.wait_after(rung);
            continue;
        }
        const auto left = *deadline - std::chrono::steady_clock::now();
        if (left <= Duration::zero() || !co_await rung_.wait_after(rung, left)) break;
    }
    co_return shared_->published.load() != seen;
}

namespace {

// Counts one waiter for as long as it lives (also when the coroutine frame is destroyed suspended).
class Waiting {
public:
    explicit Waiting(std::atomic<std::uint64_t>& waiters) : waiters_(waiters) { waiters_.fetch_add(1); }
    ~Waiting() { waiters_.fetch_sub(1); }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

private:
    std::atomic<std::uint64_t>& waiters_;
};

}  // namespace

asio::awaitable<bool> PublishSignal::wait_after(std::uint64_t seen, Duration timeout) {
    // Counted before the first look at generation() (in wait()): see the header.
    const Waiting counted(shared_->waiters);
    co_return co_await wait(seen, timeout);
}

asio::awaitable<bool> PublishSignal::wait_after(std::uint64_t seen) {
    const Waiting counted(shared_->waiters);
    co_return co_await wait(seen, std::nullopt);
}

asio::awaitable<bool> PublishSignal::wait_round(std::uint64_t seen, Duration timeout, bool ring_on_publish) {
    std::optional<Waiting> counted;
    if (ring_on_publish) counted.emplace(shared_->waiters);
    if (shared_->published.load() == seen && !closed_) co_await rung_.wait_after(rung_.generation(), timeout);
    co_return shared_->published.load() != seen;
}

std::function<void()> PublishSignal::notifier() const {
    return [shared = shared_] {
        shared->published.fetch_add(1);
        if (shared->waiters.load() > 0) shared->ring();
    };
}

std::function<void()> PublishSignal::waker() const {
    return [shared = shared_] { shared->ring(); };
}

}  // namespace cmon::http
