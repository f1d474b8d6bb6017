// ROCm compute through /dev/kfd shows no engine time in DRM fdinfo, so it is read from KFD's sysfs:
//   <sys>/class/kfd/kfd/topology/nodes/<n>/gpu_id          (0 for CPU nodes)
//   <sys>/class/kfd/kfd/topology/nodes/<n>/properties      drm_render_minor, simd_count, simd_per_cu
//   <sys>/class/kfd/kfd/proc/<pid>/vram_<gpu_id>           bytes of VRAM the process holds
//   <sys>/class/kfd/kfd/proc/<pid>/stats_<gpu_id>/cu_occupancy   compute units its waves occupy now
// CU count = simd_count / simd_per_cu. Nothing here exists without amdkfd: then processes() is empty.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace cmon::sources {

struct KfdNode {
    std::uint64_t gpu_id = 0;
    std::optional<unsigned> render_minor;  // renderD<minor>: ties the node to a DRM card
    std::optional<unsigned> compute_units;
};

struct KfdProcessUse {
    unsigned pid = 0;
    std::uint64_t gpu_id = 0;
    std::optional<unsigned> render_minor;
    std::optional<std::uint64_t> vram_bytes;
    std::optional<double> cu_percent;  // cu_occupancy ÷ CU count × 100, clamped to 100
};

class KfdReader {
public:
    explicit KfdReader(std::filesystem::path sys);
    std::vector<KfdNode> topology() const;
    // One entry per (pid, GPU node) with anything to say.
    std::vector<KfdProcessUse> processes(const std::vector<KfdNode>& nodes) const;

private:
    std::filesystem::path kfd_;
};

}  // namespace cmon::sources
