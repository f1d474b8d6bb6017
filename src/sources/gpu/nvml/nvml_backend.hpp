// NVML as a GpuBackend: per device index, name, UUID, utilization, memory, temperature, power, fan, MIG mode;
// per process (compute and graphics merged by pid) used memory and SM % from process utilization samples.
// Unsupported fields stay std::nullopt; a device that errors is reported lost while the others carry on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sources/gpu/gpu_backend.hpp"
#include "sources/gpu/nvml/nvml_library.hpp"

namespace cmon::sources {

class NvmlBackend final : public GpuBackend {
public:
    // Loads the library now; throws util::Error ("gpu: no NVIDIA driver found (...)") when it cannot.
    explicit NvmlBackend(const std::string& library_path = NvmlLibrary::kDefaultPath);

    std::string_view name() const override { return "nvml"; }
    GpuSample sample() override;

private:
    // Kept between samples: buffers that only grow, and the newest utilization sample already consumed.
    struct DeviceState {
        unsigned long long last_seen_timestamp_us = 0;
        unsigned process_capacity = 16;
        std::vector<std::byte> process_buffer;
        unsigned sample_capacity = 16;
        std::vector<NvmlProcessUtilizationSample> sample_buffer;
    };
    class DeviceReader;

    NvmlLibrary library_;
    std::vector<DeviceState> states_;
};

}  // namespace cmon::sources
