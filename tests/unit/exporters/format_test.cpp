// exporters/format: the timestamps every document carries, against dates worked out by hand (Python's
// datetime gave the same).
#include "exporters/format.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace cmon::exporters {
namespace {

model::TimePoint at_ms(long long ms) { return model::TimePoint(std::chrono::milliseconds(ms)); }

TEST(Rfc3339Utc, MillisecondsInUtc) {
    EXPECT_EQ(rfc3339_utc(at_ms(1765000000123)), "2025-12-06T05:46:40.123Z");
    EXPECT_EQ(rfc3339_utc(at_ms(0)), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(rfc3339_utc(at_ms(1709208000000)), "2024-02-29T12:00:00.000Z");  // a leap day
    EXPECT_EQ(rfc3339_utc(at_ms(4102444799999)), "2099-12-31T23:59:59.999Z");
}

TEST(Rfc3339Utc, BeforeTheEpochRoundsDown) {
    EXPECT_EQ(rfc3339_utc(at_ms(-1)), "1969-12-31T23:59:59.999Z");
    // Below a millisecond is cut, as before: 1.9999 ms after the epoch is 1 ms.
    EXPECT_EQ(rfc3339_utc(model::TimePoint(std::chrono::microseconds(1999))), "1970-01-01T00:00:00.001Z");
}

TEST(Rfc3339Utc, TheSameInstantAgainAndAnotherOneOfTheSameSecond) {
    // The last text is kept for the next call: a kept text must be the instant's, never the one before.
    EXPECT_EQ(rfc3339_utc(at_ms(1765000000123)), "2025-12-06T05:46:40.123Z");
    EXPECT_EQ(rfc3339_utc(at_ms(1765000000123)), "2025-12-06T05:46:40.123Z");
    EXPECT_EQ(rfc3339_utc(at_ms(1765000000124)), "2025-12-06T05:46:40.124Z");
    EXPECT_EQ(rfc3339_utc(at_ms(1765000000123)), "2025-12-06T05:46:40.123Z");
}

TEST(LocalTimeText, TheTimeOfDayInTheLocalZone) {
    // TZ is the process's: set for this test and put back.
    const char* before = std::getenv("TZ");
    const std::string saved = before != nullptr ? before : "";
    ::setenv("TZ", "IST-5:30", 1);  // POSIX form (no zoneinfo needed): UTC+05:30, no daylight saving
    ::tzset();
    EXPECT_EQ(local_time_text(at_ms(1765000000123)), "2025-12-06 11:16:40");
    EXPECT_EQ(local_time_text(at_ms(0)), "1970-01-01 05:30:00");
    if (before != nullptr) {
        ::setenv("TZ", saved.c_str(), 1);
    } else {
        ::unsetenv("TZ");
    }
    ::tzset();
}

}  // namespace
}  // namespace cmon::exporters
