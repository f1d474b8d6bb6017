// Per-engine busy % of DRM clients from successive fdinfo counter readings. Pure: no I/O; the caller
// passes the monotonic time of each reading, so tests are exact.
//   drm-engine-<e> (ns):   Δbusy_ns ÷ Δwall_ns ÷ capacity
//   drm-cycles-<e> (xe):   Δcycles ÷ Δtotal-cycles ÷ capacity
//   amdgpu 5.14-5.18:      the kernel's own percentage, as printed
// Clamped to 0..100. A counter lower than the previous reading restarts that engine's delta (no value this
// time, the lower reading is the new baseline). First sight of a client: no value yet.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "sources/gpu/drm/fdinfo_parser.hpp"

namespace cmon::sources {

class EngineUsageTracker {
public:
    // A client is (drm-pdev, drm-client-id): the spec allows ids unique only per device.
    using ClientKey = std::pair<std::string, std::uint64_t>;

    // Busy % per engine over the interval since this client's previous update; engines without a value yet
    // are left out.
    std::map<std::string, double> update(const ClientKey& client,
                                         const std::map<std::string, DrmEngineCounters>& engines, std::int64_t now_ns);
    // Forget clients that were not updated since the previous call (closed fds, exited processes).
    void end_tick();
    std::size_t tracked() const { return clients_.size(); }

private:
    struct Previous {
        std::int64_t time_ns = 0;
        std::map<std::string, DrmEngineCounters> engines;
        bool seen = true;
    };
    std::map<ClientKey, Previous> clients_;
};

}  // namespace cmon::sources
