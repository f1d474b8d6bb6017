// Loads libnvidia-ml with dlopen and fills a table of NVML function pointers with dlsym, versioned names
// first (_v3, _v2, plain), the way nvtop does. Owns the nvmlInit/nvmlShutdown pair. Knows nothing of the
// model: NvmlBackend turns calls into GpuDevice/GpuProcess.
#pragma once

#include <string>

#include "sources/gpu/nvml/nvml_types.hpp"

namespace cmon::sources {

// Which struct a *RunningProcesses function fills (decided by the symbol name that was found).
enum class NvmlProcessInfoLayout { kV1, kV2 };

// Signatures from nvml.h. Required entries are never null after load; optional ones may be.
struct NvmlFunctions {
    using ProcessesFn = NvmlReturn (*)(NvmlDevice, unsigned int* count, void* infos);

    // Required.
    NvmlReturn (*init)() = nullptr;  // nvmlInit_v2 | nvmlInit
    NvmlReturn (*shutdown)() = nullptr;
    NvmlReturn (*device_get_count)(unsigned int*) = nullptr;                        // _v2 | plain
    NvmlReturn (*device_get_handle_by_index)(unsigned int, NvmlDevice*) = nullptr;  // _v2 | plain

    // Optional: a missing symbol reads as "not supported".
    const char* (*error_string)(NvmlReturn) = nullptr;
    NvmlReturn (*device_get_name)(NvmlDevice, char*, unsigned int) = nullptr;
    NvmlReturn (*device_get_uuid)(NvmlDevice, char*, unsigned int) = nullptr;
    NvmlReturn (*device_get_utilization_rates)(NvmlDevice, NvmlUtilization*) = nullptr;
    NvmlReturn (*device_get_memory_info)(NvmlDevice, NvmlMemory*) = nullptr;
    NvmlReturn (*device_get_memory_info_v2)(NvmlDevice, NvmlMemoryV2*) = nullptr;
    NvmlReturn (*device_get_temperature)(NvmlDevice, int sensor, unsigned int*) = nullptr;
    NvmlReturn (*device_get_power_usage)(NvmlDevice, unsigned int* milliwatts) = nullptr;
    NvmlReturn (*device_get_enforced_power_limit)(NvmlDevice, unsigned int* milliwatts) = nullptr;
    NvmlReturn (*device_get_fan_speed)(NvmlDevice, unsigned int* percent) = nullptr;
    NvmlReturn (*device_get_mig_mode)(NvmlDevice, unsigned int* current, unsigned int* pending) = nullptr;
    NvmlReturn (*device_get_process_utilization)(NvmlDevice, NvmlProcessUtilizationSample*, unsigned int* count,
                                                 unsigned long long last_seen_timestamp) = nullptr;
    ProcessesFn device_get_compute_running_processes = nullptr;
    NvmlProcessInfoLayout compute_processes_layout = NvmlProcessInfoLayout::kV2;
    ProcessesFn device_get_graphics_running_processes = nullptr;
    NvmlProcessInfoLayout graphics_processes_layout = NvmlProcessInfoLayout::kV2;
};

class NvmlLibrary {
public:
    static constexpr const char* kDefaultPath = "libnvidia-ml.so.1";

    // dlopen + dlsym + nvmlInit. Throws util::Error ("gpu: no NVIDIA driver found (...)") when the library
    // cannot be opened, lacks a required symbol, or nvmlInit fails.
    explicit NvmlLibrary(const std::string& path = kDefaultPath);
    ~NvmlLibrary();  // nvmlShutdown, dlclose
    NvmlLibrary(const NvmlLibrary&) = delete;
    NvmlLibrary& operator=(const NvmlLibrary&) = delete;

    const NvmlFunctions& fn() const { return fn_; }
    const std::string& path() const { return path_; }
    // nvmlErrorString when available, else "NVML error <rc>".
    std::string error_string(NvmlReturn rc) const;

private:
    std::string path_;
    void* handle_ = nullptr;
    NvmlFunctions fn_;
};

}  // namespace cmon::sources
