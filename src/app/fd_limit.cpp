#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace cmon::app {

std::uint64_t raise_fd_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

DescriptorBudget descriptor_budget(std::size_t wanted_connections, std::uint64_t fd_limit) {
    const std::uint64_t room = fd_limit > kReservedDescriptors * 2 ? fd_limit - kReservedDescriptors : fd_limit / 2;
    const std::uint64_t files = std::min(room / kContainerFilesShareDivisor, kContainerFilesMax);
    const std::uint64_t connections = std::min<std::uint64_t>(wanted_connections, room - files);
    return DescriptorBudget{.connections = static_cast<std::size_t>(std::max<std::uint64_t>(1, connections)),
                            .container_files = static_cast<std::size_t>(files)};
}

}  // namespace cmon::app
