// FleetService: keeps the newest fleet JSON for `container-monitor fleet`. A thread refreshes it from
// Prometheus every refresh interval while someone looks (a request touched it within idle_after), and
// sleeps otherwise: the fleet stores nothing and asks Prometheus nothing when nobody looks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sources/prometheus/fleet_source.hpp"

namespace cmon::app {

struct FleetBody {
    std::shared_ptr<const std::string> json;  // exporters::to_fleet_json
    bool ok = false;                          // Prometheus answered this refresh
    std::string error;                        // why not
    std::chrono::steady_clock::time_point made;
};

class FleetService {
public:
    FleetService(std::unique_ptr<sources::FleetSource> source, std::chrono::milliseconds refresh,
                 std::chrono::milliseconds wait_limit, std::chrono::seconds idle_after = std::chrono::seconds(60));
    ~FleetService();
    FleetService(const FleetService&) = delete;
    FleetService& operator=(const FleetService&) = delete;

    void start();
    void stop();

    // Marks "someone looks" and returns the newest fleet. When there is none yet, or the service slept
    // (nobody looked for idle_after), waits for the refresh this call triggers, at most wait_limit: the
    // first page view after a quiet hour shows current data, not an hour-old one.
    FleetBody current();

private:
    void loop();

    std::unique_ptr<sources::FleetSource> source_;
    std::chrono::milliseconds refresh_;
    std::chrono::milliseconds wait_limit_;
    std::chrono::seconds idle_after_;
    std::mutex mutex_;
    std::condition_variable wake_;       // the refresher: touched, or stopping
    std::condition_variable published_;  // waiters in current()
    FleetBody latest_;                   // guarded by mutex_
    std::chrono::steady_clock::time_point last_touch_{};
    std::uint64_t generation_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace cmon::app
