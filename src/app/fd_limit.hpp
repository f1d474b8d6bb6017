// Open-file limit for serve: every HTTP connection is a descriptor, and the usual soft limit (1024) is
// below the default --max-connections. Raised to the hard limit at startup, and the connection limit is
// kept under what the descriptors allow, so a full server closes extra connections at once instead of
// failing accept() with EMFILE while they queue.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cmon::app {

// Descriptors kept back for everything but client connections (listener, Docker, NVML, /proc reads).
inline constexpr std::uint64_t kReservedDescriptors = 64;

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force afterwards (unchanged
// when raising is refused).
std::uint64_t raise_fd_limit();

// The connection limit that fits `fd_limit` descriptors: min(wanted, fd_limit - reserve), at least 1.
std::size_t connection_limit(std::size_t wanted, std::uint64_t fd_limit);

}  // namespace cmon::app
