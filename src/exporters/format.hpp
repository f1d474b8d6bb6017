// Number and time formatting shared by the exporters. Pure: no I/O (local time uses the process's TZ).
#pragma once

#include <cstdint>
#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

double round1(double value);                                         // one decimal
double percent_of(std::uint64_t part, std::uint64_t whole);          // 0 when whole is 0, one decimal
std::string gib_pair(std::uint64_t used_bytes, std::uint64_t total_bytes);  // "1.4G / 62.8G"
std::string local_time_text(model::TimePoint time);                  // "2023-08-01 21:54:32"
std::string rfc3339_utc(model::TimePoint time);                      // "2023-08-01T19:54:32.123Z"

}  // namespace cmon::exporters
