// The process's one descriptor budget. Every HTTP connection is a descriptor, and so is every container file
// the docker source keeps open between samples (KernelFile, pidfds); the usual soft limit (1024) is below
// the default --max-connections. The soft limit is raised to the hard limit at startup and then split once,
// here, between the two; each side stays inside its share (a full server closes extra connections at once
// instead of failing accept() with EMFILE, and the source opens a file per read once its share is used).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cmon::app {

// Descriptors kept back for everything but client connections and kept container files (listener, Docker
// requests and the followed event stream, NVML, one-off /proc reads, the io_uring ring, the host source's
// nine kept /proc files).
inline constexpr std::uint64_t kReservedDescriptors = 64;
// The kept container files' share of what is left after the reserve, and its cap: 100 containers keep ~900
// (cgroup files, net/dev and a pidfd each), so the cap covers well over a thousand.
inline constexpr std::uint64_t kContainerFilesShareDivisor = 4;
inline constexpr std::uint64_t kContainerFilesMax = 16384;

struct DescriptorBudget {
    std::size_t connections = 1;      // HTTP connections served at once (≤ the --max-connections asked for)
    std::size_t container_files = 0;  // descriptors the docker source may keep open between samples
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit in force afterwards (unchanged
// when raising is refused).
std::uint64_t raise_fd_limit();

// Splits `fd_limit` descriptors: the reserve first (half of a tiny limit), a quarter of the rest (at most
// kContainerFilesMax) for kept container files, and what remains for connections, at most `wanted`, at
// least 1. The parts never add up to more than the limit (beyond the single connection a tiny limit gets).
DescriptorBudget descriptor_budget(std::size_t wanted_connections, std::uint64_t fd_limit);

}  // namespace cmon::app
