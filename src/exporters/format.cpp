#include "exporters/format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <optional>

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
    // The fields formatted here rather than by strftime (cold locale tables at every /query).
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                       local.tm_hour, local.tm_min, local.tm_sec);
}

std::string rfc3339_utc(model::TimePoint time) {
    // Calendar arithmetic (<chrono>), not gmtime_r + strftime: this runs for every snapshot written, and
    // strftime's locale tables are cold memory each second.
    const auto since_epoch = std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch());
    // A document writes the same instant several times (its time, each source's last success): the last
    // text is kept per thread.
    thread_local std::optional<std::chrono::milliseconds> last_time;
    thread_local std::string last_text;
    if (last_time == since_epoch) return last_text;
    const auto days = std::chrono::floor<std::chrono::days>(since_epoch);
    const std::chrono::year_month_day date{std::chrono::sys_days(days)};
    const std::chrono::hh_mm_ss clock{since_epoch - days};
    last_text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                            static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                            clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                            clock.subseconds().count());
    last_time = since_epoch;
    return last_text;
}

}  // namespace cmon::exporters
