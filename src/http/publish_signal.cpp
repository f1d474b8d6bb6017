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
    : bell_(std::make_shared<const util::UniqueFd>(make_eventfd())),
      reader_(io, duplicate(*bell_)),
      publishes_(io) {
    arm();
}

void PublishSignal::arm() {
    reader_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        // Aborted: closed, or the descriptor is gone with this object; nothing of it may be touched.
        if (ec || closed_) return;
        // Waiting again before reading: a publish between the read and the next wait is then seen by
        // the wait, one before the read by the read.
        arm();
        std::uint64_t count = 0;
        if (::read(reader_.native_handle(), &count, sizeof count) == static_cast<ssize_t>(sizeof count) && count > 0)
            publishes_.ring();
    });
}

void PublishSignal::close() {
    closed_ = true;
    boost::system::error_code ignored;
    reader_.cancel(ignored);
    publishes_.close();
}

std::function<void()> PublishSignal::notifier() const {
    return [bell = bell_] {
        const std::uint64_t one = 1;
        // Only a counter at its maximum (never, at one per publish) refuses: nothing to do then.
        [[maybe_unused]] const ssize_t written = ::write(bell->get(), &one, sizeof one);
    };
}

}  // namespace cmon::http
