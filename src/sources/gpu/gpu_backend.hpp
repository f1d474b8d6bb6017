// One GPU vendor behind a small interface (NVML today; AMD/Intel DRM fdinfo later), so GpuSource and the
// tests do not care which library answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::sources {

struct GpuSample {
    std::vector<model::GpuDevice> devices;     // index order; a lost device appears with lost = true
    std::vector<model::GpuProcess> processes;  // one entry per (gpu, pid); attribution fields left empty
    std::string note;  // for the source health while the sample worked ("fdinfo of 3 processes refused ...")
    std::optional<std::string> driver_version;  // the vendor driver's version, when known
};

class GpuBackend {
public:
    virtual ~GpuBackend() = default;
    virtual std::string_view name() const = 0;  // "nvml"
    // One sample of every device and its processes. A single broken device is reported in the sample
    // (lost = true); util::Error only when the vendor library as a whole cannot answer.
    virtual GpuSample sample() = 0;
    // One line for the source's health note: driver version and how processes are read. Empty: nothing to say.
    virtual std::string describe() const { return {}; }
};

}  // namespace cmon::sources
