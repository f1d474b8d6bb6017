// GPM samples per MIG GPU instance; see the header.
#include "sources/gpu/nvml/nvml_gpm_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace cmon::sources {

NvmlGpmSampler::~NvmlGpmSampler() {
    if (fn_.gpm_sample_free == nullptr) return;
    for (auto& [id, instance] : instances_) {
        if (instance.previous != nullptr) static_cast<void>(fn_.gpm_sample_free(instance.previous));
        if (instance.current != nullptr) static_cast<void>(fn_.gpm_sample_free(instance.current));
    }
}

std::optional<unsigned> NvmlGpmSampler::sm_utilization(NvmlDevice parent, unsigned gpu_instance_id,
                                                       std::chrono::steady_clock::time_point now) {
    if (unsupported_ || !fn_.has_gpm()) return std::nullopt;
    Instance& instance = instances_[gpu_instance_id];
    if (instance.previous_time && now - *instance.previous_time < kMinSpacing) return std::nullopt;
    for (NvmlGpmSample* slot : {&instance.previous, &instance.current}) {
        if (*slot == nullptr && fn_.gpm_sample_alloc(slot) != kNvmlSuccess) {
            *slot = nullptr;
            return std::nullopt;
        }
    }
    NvmlReturn rc = fn_.gpm_mig_sample_get(parent, gpu_instance_id, instance.current);
    if (rc == kNvmlErrorNotSupported) {
        unsupported_ = true;
        return std::nullopt;
    }
    if (rc != kNvmlSuccess) {
        instance.previous_time.reset();
        return std::nullopt;
    }
    std::optional<unsigned> result;
    if (instance.previous_time) {
        NvmlGpmMetricsGet request{};
        request.version = kNvmlGpmMetricsGetVersion;
        request.numMetrics = kNvmlGpmMetricsWeAsk;
        request.sample1 = instance.previous;
        request.sample2 = instance.current;
        request.metrics[0].metricId = kNvmlGpmMetricSmUtil;
        if (fn_.gpm_metrics_get(&request) == kNvmlSuccess && request.metrics[0].nvmlReturn == kNvmlSuccess &&
            std::isfinite(request.metrics[0].value)) {
            double value = std::clamp(request.metrics[0].value, 0.0, 100.0);
            result = static_cast<unsigned>(std::lround(value));
        }
    }
    std::swap(instance.previous, instance.current);
    instance.previous_time = now;
    return result;
}

}  // namespace cmon::sources
