// PublishSignal: the sampler thread's publish, handed to the io_context's Broadcast.
#include "http/publish_signal.hpp"

namespace cmon::http {

PublishSignal::PublishSignal(asio::io_context& io) : io_(io), publishes_(io), link_(std::make_shared<Link>()) {
    link_->self = this;
}

PublishSignal::~PublishSignal() {
    std::lock_guard lock(link_->mutex);
    link_->self = nullptr;
}

std::function<void()> PublishSignal::notifier() const {
    return [link = link_] {
        std::lock_guard lock(link->mutex);
        if (link->self == nullptr) return;
        // Hop to the io_context; re-check there, the signal may be gone by the time it runs.
        asio::post(link->self->io_, [link] {
            std::lock_guard inner(link->mutex);
            if (link->self != nullptr) link->self->publishes_.ring();
        });
    };
}

}  // namespace cmon::http
