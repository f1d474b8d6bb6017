// MIG utilization through GPM (nvmlGpmMigSampleGet, Hopper+): one sample per tick per GPU instance, the SM
// utilization metric computed from the previous and the current sample. NVIDIA asks for samples at least
// 100 ms apart; closer ones are not compared. A device answering NOT_SUPPORTED is not asked again.
// Owns its nvmlGpmSample_t buffers (freed with nvmlGpmSampleFree), so it must be destroyed before the
// library that allocated them.
#pragma once

#include <chrono>
#include <map>
#include <optional>

#include "sources/gpu/nvml/nvml_library.hpp"

namespace cmon::sources {

class NvmlGpmSampler {
public:
    static constexpr std::chrono::milliseconds kMinSpacing{100};

    explicit NvmlGpmSampler(const NvmlFunctions& fn) : fn_(fn) {}
    ~NvmlGpmSampler();
    NvmlGpmSampler(const NvmlGpmSampler&) = delete;
    NvmlGpmSampler& operator=(const NvmlGpmSampler&) = delete;

    // SM utilization (0..100) of GPU instance `gpu_instance_id` on `parent` since the previous call, or
    // nullopt (first call, samples too close, GPM missing or refused).
    std::optional<unsigned> sm_utilization(NvmlDevice parent, unsigned gpu_instance_id,
                                           std::chrono::steady_clock::time_point now);

private:
    struct Instance {
        NvmlGpmSample previous = nullptr;
        NvmlGpmSample current = nullptr;
        std::optional<std::chrono::steady_clock::time_point> previous_time;
    };
    const NvmlFunctions& fn_;
    std::map<unsigned, Instance> instances_;
    bool unsupported_ = false;
};

}  // namespace cmon::sources
