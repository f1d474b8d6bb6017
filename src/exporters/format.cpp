#include "exporters/format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace cmon::exporters {

double round1(double value) {
    double rounded = std::round(value * 10.0) / 10.0;
    return rounded == 0.0 ? 0.0 : rounded;  // no "-0.0"
}

double percent_of(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) return 0.0;
    return round1(100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string gib_pair(std::uint64_t used_bytes, std::uint64_t total_bytes) {
    constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
    return fmt::format("{:.1f}G / {:.1f}G", static_cast<double>(used_bytes) / kGiB,
                       static_cast<double>(total_bytes) / kGiB);
}

std::string local_time_text(model::TimePoint time) {
    std::time_t seconds = model::Clock::to_time_t(time);
    std::tm local{};
    localtime_r(&seconds, &local);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
    return buffer;
}

std::string rfc3339_utc(model::TimePoint time) {
    auto since_epoch = time.time_since_epoch();
    auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    std::time_t whole = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&whole, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    return fmt::format("{}.{:03d}Z", buffer, millis);
}

}  // namespace cmon::exporters
