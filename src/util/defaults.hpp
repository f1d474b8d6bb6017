// Every default that a command-line setting (app/config.hpp) and a library's options struct share, named
// once. The Config struct is what users see (`--help` prints these); the options structs of http/,
// sampling/, sources/ and attribution/ start from the same values so that a library used on its own
// (tests, benchmarks, the `snapshot` command) behaves as the service does by default.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cmon::defaults {

// HTTP
inline constexpr std::string_view kBind = "0.0.0.0";
inline constexpr std::uint16_t kPort = 727;          // as the tool this replaces
inline constexpr unsigned kMaxConnections = 2048;    // more at once are closed at once
inline constexpr std::chrono::seconds kRequestTimeout{10};  // a request must arrive whole within this
inline constexpr std::chrono::seconds kIdleTimeout{30};     // keep-alive connections idle this long close
inline constexpr std::chrono::seconds kWriteTimeout{15};    // a client not reading this long is dropped
inline constexpr std::chrono::milliseconds kStreamTouchInterval{1000};  // open event streams keep collection awake
inline constexpr std::chrono::milliseconds kHeartbeatInterval{15000};   // ": keep-alive" on event streams
inline constexpr std::string_view kTitle = "Container Monitor";

// Sampling
inline constexpr std::chrono::milliseconds kInterval{1000};
inline constexpr std::chrono::milliseconds kIdlePause{30000};  // without any client, collection pauses

// GPUs
inline constexpr std::string_view kNvmlLibrary = "libnvidia-ml.so.1";
inline constexpr std::uint64_t kIdleGpuMemoryBytes = std::uint64_t{1} << 30;  // a holder of more than this...
inline constexpr std::chrono::seconds kIdleGpuAfter{600};                      // ...at SM ~0 this long is idle

// The lab view on Prometheus
inline constexpr std::string_view kPrometheusJob = "container-monitor";
inline constexpr std::chrono::milliseconds kPrometheusTimeout{5000};  // per query
inline constexpr std::size_t kPrometheusMaxSeries = 200000;            // per query; more is an error
inline constexpr std::uint64_t kFreeGpuMemoryBytes = std::uint64_t{1} << 30;  // below this, no process: free

}  // namespace cmon::defaults
