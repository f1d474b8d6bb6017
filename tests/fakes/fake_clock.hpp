// A clock tests move by hand, so rate and pause tests are exact.
#pragma once

#include <chrono>

#include "util/clock.hpp"

namespace cmon::testing {

class FakeClock final : public util::Clock {
public:
    std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
    std::chrono::system_clock::time_point system_now() const override { return system_; }
    void advance(std::chrono::steady_clock::duration by) {
        steady_ += by;
        system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
    }

private:
    std::chrono::steady_clock::time_point steady_{std::chrono::hours(1000)};
    std::chrono::system_clock::time_point system_{std::chrono::seconds(1690926872)};
};

}  // namespace cmon::testing
