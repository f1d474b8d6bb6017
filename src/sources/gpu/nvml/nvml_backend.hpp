// NVML as a GpuBackend: per device index, NvmlDeviceReader fills the device (fields, MIG slices) and its
// processes (compute, graphics and MPS lists merged by pid, SM % from process utilization samples).
// Unsupported fields stay std::nullopt; refused ones are listed in degraded_fields; a lost device is reported
// lost while the others carry on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sources/gpu/gpu_backend.hpp"
#include "sources/gpu/nvml/nvml_device_reader.hpp"
#include "sources/gpu/nvml/nvml_library.hpp"

namespace cmon::sources {

class NvmlBackend final : public GpuBackend {
public:
    // Loads the library now; throws util::Error ("gpu: no NVIDIA driver found (...)") when it cannot.
    explicit NvmlBackend(const std::string& library_path = NvmlLibrary::kDefaultPath);
    ~NvmlBackend() override;

    std::string_view name() const override { return "nvml"; }
    GpuSample sample() override;
    // "NVIDIA driver 550.54.15; processes via nvmlDevice*RunningProcesses_v3, 24-byte entries"
    std::string describe() const override;

private:
    NvmlLibrary library_;
    // Declared after library_: destroyed first, while the library that allocated their GPM samples is open.
    std::vector<std::unique_ptr<NvmlDeviceState>> states_;
};

}  // namespace cmon::sources
