// Injectable clock: the sampler and rate derivation read time only through this, so tests are exact.
#pragma once

#include <chrono>

namespace cmon::util {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::chrono::steady_clock::time_point steady_now() const = 0;
    virtual std::chrono::system_clock::time_point system_now() const = 0;
};

class RealClock final : public Clock {
public:
    std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
    std::chrono::system_clock::time_point system_now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace cmon::util
