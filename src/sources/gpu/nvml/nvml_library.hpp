// Loads libnvidia-ml with dlopen and fills a table of NVML function pointers with dlsym, versioned names
// first (_v3, _v2, plain), the way nvtop does. Owns the nvmlInit/nvmlShutdown pair and the dlopen handle
// (one deleter). Knows nothing of the model: NvmlBackend turns calls into GpuDevice/GpuProcess.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "sources/gpu/nvml/nvml_process_layout.hpp"
#include "sources/gpu/nvml/nvml_types.hpp"
#include "util/defaults.hpp"

namespace cmon::sources {

// Signatures from nvml.h. Required entries are never null after load; optional ones may be.
struct NvmlFunctions {
    using ProcessesFn = NvmlReturn (*)(NvmlDevice, unsigned int* count, void* infos);
    using ValueFn = NvmlReturn (*)(NvmlDevice, unsigned int*);
    using ClockFn = NvmlReturn (*)(NvmlDevice, int type, unsigned int* mhz);

    // Required.
    NvmlReturn (*init)() = nullptr;  // nvmlInit_v2 | nvmlInit
    NvmlReturn (*shutdown)() = nullptr;
    NvmlReturn (*device_get_count)(unsigned int*) = nullptr;                        // _v2 | plain
    NvmlReturn (*device_get_handle_by_index)(unsigned int, NvmlDevice*) = nullptr;  // _v2 | plain

    // Optional: a missing symbol reads as "not supported".
    const char* (*error_string)(NvmlReturn) = nullptr;
    NvmlReturn (*system_get_driver_version)(char*, unsigned int) = nullptr;
    NvmlReturn (*device_get_name)(NvmlDevice, char*, unsigned int) = nullptr;
    NvmlReturn (*device_get_uuid)(NvmlDevice, char*, unsigned int) = nullptr;
    NvmlReturn (*device_get_utilization_rates)(NvmlDevice, NvmlUtilization*) = nullptr;
    NvmlReturn (*device_get_memory_info)(NvmlDevice, NvmlMemory*) = nullptr;
    NvmlReturn (*device_get_memory_info_v2)(NvmlDevice, NvmlMemoryV2*) = nullptr;
    NvmlReturn (*device_get_temperature)(NvmlDevice, int sensor, unsigned int*) = nullptr;
    NvmlReturn (*device_get_temperature_v)(NvmlDevice, NvmlTemperatureV1*) = nullptr;
    ValueFn device_get_power_usage = nullptr;           // milliwatts
    ValueFn device_get_enforced_power_limit = nullptr;  // milliwatts
    ValueFn device_get_fan_speed = nullptr;             // percent
    ClockFn device_get_clock_info = nullptr;
    ClockFn device_get_max_clock_info = nullptr;
    NvmlReturn (*device_get_mig_mode)(NvmlDevice, unsigned int* current, unsigned int* pending) = nullptr;
    ValueFn device_get_max_mig_device_count = nullptr;
    NvmlReturn (*device_get_mig_device_handle_by_index)(NvmlDevice, unsigned int, NvmlDevice*) = nullptr;
    ValueFn device_get_gpu_instance_id = nullptr;
    ValueFn device_get_compute_instance_id = nullptr;
    NvmlReturn (*device_get_process_utilization)(NvmlDevice, NvmlProcessUtilizationSample*, unsigned int* count,
                                                 unsigned long long last_seen_timestamp) = nullptr;
    ProcessesFn device_get_compute_running_processes = nullptr;
    ProcessesFn device_get_graphics_running_processes = nullptr;
    ProcessesFn device_get_mps_compute_running_processes = nullptr;
    NvmlProcessLayout compute_processes_layout;
    NvmlProcessLayout graphics_processes_layout;
    NvmlProcessLayout mps_processes_layout;
    // GPM (Hopper+): all four or none are used.
    NvmlReturn (*gpm_sample_alloc)(NvmlGpmSample*) = nullptr;
    NvmlReturn (*gpm_sample_free)(NvmlGpmSample) = nullptr;
    NvmlReturn (*gpm_mig_sample_get)(NvmlDevice, unsigned int gpu_instance_id, NvmlGpmSample) = nullptr;
    NvmlReturn (*gpm_metrics_get)(NvmlGpmMetricsGet*) = nullptr;
    bool has_gpm() const { return gpm_sample_alloc && gpm_sample_free && gpm_mig_sample_get && gpm_metrics_get; }
};

class NvmlLibrary {
public:
    static constexpr const char* kDefaultPath = defaults::kNvmlLibrary.data();  // a literal: NUL-terminated

    // dlopen + dlsym + nvmlInit. Throws util::Error ("gpu: no NVIDIA driver found (...)") when the library
    // cannot be opened, lacks a required symbol, or nvmlInit fails.
    explicit NvmlLibrary(const std::string& path = kDefaultPath);
    ~NvmlLibrary();  // nvmlShutdown; the handle's deleter dlcloses
    NvmlLibrary(const NvmlLibrary&) = delete;
    NvmlLibrary& operator=(const NvmlLibrary&) = delete;

    const NvmlFunctions& fn() const { return fn_; }
    const std::string& path() const { return path_; }
    // nvmlSystemGetDriverVersion ("550.54.15"), when the library answers it.
    const std::optional<std::string>& driver_version() const { return driver_version_; }
    // nvmlErrorString when available, else "NVML error <rc>".
    std::string error_string(NvmlReturn rc) const;

private:
    struct HandleCloser {
        void operator()(void* handle) const;
    };
    using Handle = std::unique_ptr<void, HandleCloser>;

    void bind_optional();
    void choose_process_layouts();

    std::string path_;
    Handle handle_;
    NvmlFunctions fn_;
    std::optional<std::string> driver_version_;
};

// NVML's name of a return code ("NOT_SUPPORTED", "GPU_IS_LOST", ...), or the number.
std::string nvml_return_name(NvmlReturn rc);

}  // namespace cmon::sources
