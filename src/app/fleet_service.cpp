#include "app/fleet_service.hpp"

#include <spdlog/spdlog.h>

#include "exporters/fleet_exporter.hpp"

namespace cmon::app {

namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

FleetService::FleetService(std::unique_ptr<sources::FleetSource> source, std::chrono::milliseconds refresh,
                           std::chrono::milliseconds wait_limit, std::chrono::seconds idle_after)
    : source_(std::move(source)), refresh_(refresh), wait_limit_(wait_limit), idle_after_(idle_after) {}

FleetService::~FleetService() { stop(); }

void FleetService::start() { thread_ = std::thread([this] { loop(); }); }

void FleetService::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    published_.notify_all();
    if (thread_.joinable()) thread_.join();
}

FleetBody FleetService::current() {
    std::unique_lock lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const bool was_idle = now - last_touch_ > idle_after_;
    last_touch_ = now;
    if (was_idle) wake_.notify_all();
    // Wait only when there is nothing yet or the refresher slept (its data may be an hour old); while
    // someone looks, refreshes run back to back and a request never waits for one, however slow.
    if (!latest_.json || was_idle) {
        const std::uint64_t seen = generation_;
        published_.wait_for(lock, wait_limit_, [&] { return generation_ != seen || stopping_; });
    }
    return latest_;
}

void FleetService::loop() {
    std::string last_error;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait(lock, [&] { return stopping_ || std::chrono::steady_clock::now() - last_touch_ <= idle_after_; });
        if (stopping_) break;
        lock.unlock();
        const model::FleetSnapshot fleet = source_->refresh(unix_now());
        FleetBody body{std::make_shared<const std::string>(exporters::to_fleet_json(fleet)), !fleet.error,
                       fleet.error.value_or(""), std::chrono::steady_clock::now()};
        // Log once per change of state, as the sampler does for sources.
        if (body.error != last_error) {
            if (body.error.empty()) {
                spdlog::info("prometheus answers again");
            } else {
                spdlog::warn("{}", body.error);
            }
            last_error = body.error;
        }
        lock.lock();
        latest_ = std::move(body);
        ++generation_;
        published_.notify_all();
        wake_.wait_for(lock, refresh_, [&] { return stopping_; });
    }
}

}  // namespace cmon::app
