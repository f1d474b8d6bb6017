// The NVML backend: device count and handles (the only calls whose failure can lose a device before it is
// read), then one NvmlDeviceReader per device.
#include "sources/gpu/nvml/nvml_backend.hpp"

#include <iterator>

#include "util/error.hpp"

namespace cmon::sources {

NvmlBackend::NvmlBackend(const std::string& library_path) : library_(library_path) {}

NvmlBackend::~NvmlBackend() = default;

std::string NvmlBackend::describe() const {
    std::string text = "NVIDIA driver " + library_.driver_version().value_or("(version unknown)");
    if (library_.fn().device_get_compute_running_processes != nullptr)
        text += "; processes via " + library_.fn().compute_processes_layout.describe();
    return text;
}

GpuSample NvmlBackend::sample() {
    const NvmlFunctions& fn = library_.fn();
    unsigned int count = 0;
    if (NvmlReturn rc = fn.device_get_count(&count); rc != kNvmlSuccess) {
        throw util::Error("gpu: nvmlDeviceGetCount failed: " + library_.error_string(rc));
    }
    while (states_.size() < count) states_.push_back(std::make_unique<NvmlDeviceState>(fn));
    if (states_.size() > count) states_.resize(count);

    GpuSample sample;
    sample.driver_version = library_.driver_version();
    sample.devices.reserve(count);
    for (unsigned index = 0; index < count; ++index) {
        model::GpuDevice device;
        device.index = index;
        device.driver_version = library_.driver_version();
        NvmlDevice handle = nullptr;
        if (NvmlReturn rc = fn.device_get_handle_by_index(index, &handle); rc != kNvmlSuccess) {
            // GPU_IS_LOST / UNKNOWN: the device is gone. Anything else (NO_PERMISSION where a cgroup denies
            // the device node, ...): present but unreadable, and health says why.
            if (rc == kNvmlErrorGpuIsLost || rc == kNvmlErrorUnknown) {
                device.lost = true;
            } else {
                device.degraded = true;
                device.degraded_fields.push_back("handle: " + nvml_return_name(rc));
            }
            sample.devices.push_back(std::move(device));
            continue;
        }
        NvmlDeviceReader reader(fn, handle, *states_[index], device);
        std::vector<model::GpuProcess> processes = reader.read();
        sample.processes.insert(sample.processes.end(), std::make_move_iterator(processes.begin()),
                                std::make_move_iterator(processes.end()));
        sample.devices.push_back(std::move(device));
    }
    return sample;
}

}  // namespace cmon::sources
