// dlopen/dlsym loader for NVML. Symbol names and the versioning scheme come from nvml.h
// (NVML_NO_UNVERSIONED_FUNC_DEFS block: nvmlInit -> nvmlInit_v2, nvmlDeviceGetCount -> _v2,
// nvmlDeviceGetHandleByIndex -> _v2, nvmlDevice{Compute,Graphics}RunningProcesses -> _v3).
#include "sources/gpu/nvml/nvml_library.hpp"

#include <dlfcn.h>

#include <cstring>
#include <initializer_list>

#include "util/error.hpp"

namespace cmon::sources {

namespace {

// Finds the first of `names` (newest first) and stores it in `slot`. Returns the index of the name found,
// or -1. memcpy rather than a cast: POSIX guarantees dlsym's void* holds a function address, ISO C++
// does not allow the direct conversion without a warning under -Wpedantic.
template <class Fn>
int bind(void* handle, Fn& slot, std::initializer_list<const char*> names) {
    int index = 0;
    for (const char* name : names) {
        if (void* symbol = dlsym(handle, name)) {
            static_assert(sizeof(Fn) == sizeof(void*));
            std::memcpy(&slot, &symbol, sizeof(slot));
            return index;
        }
        ++index;
    }
    slot = nullptr;
    return -1;
}

NvmlProcessInfoLayout layout_for(int found_index) {
    // names are {_v3, _v2, plain}: the first two fill nvmlProcessInfo_v2_t, plain fills nvmlProcessInfo_v1_t.
    return found_index == 2 ? NvmlProcessInfoLayout::kV1 : NvmlProcessInfoLayout::kV2;
}

std::string open_error_message(const std::string& path) {
    const char* raw = dlerror();
    std::string detail = raw != nullptr ? raw : "cannot open";
    // glibc's message usually starts with the path already.
    if (detail.rfind(path, 0) != 0) detail = path + ": " + detail;
    return "gpu: no NVIDIA driver found (" + detail + ")";
}

}  // namespace

NvmlLibrary::NvmlLibrary(const std::string& path) : path_(path) {
    // RTLD_LOCAL: NVML symbols stay out of the global namespace; RTLD_NOW: fail here, not mid-sample.
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw util::Error(open_error_message(path));

    bool complete = bind(handle_, fn_.init, {"nvmlInit_v2", "nvmlInit"}) >= 0;
    complete = bind(handle_, fn_.shutdown, {"nvmlShutdown"}) >= 0 && complete;
    complete = bind(handle_, fn_.device_get_count, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"}) >= 0 && complete;
    complete = bind(handle_, fn_.device_get_handle_by_index,
                    {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"}) >= 0 &&
               complete;
    if (!complete) {
        dlclose(handle_);
        throw util::Error("gpu: no NVIDIA driver found (" + path +
                          " lacks nvmlInit/nvmlShutdown/nvmlDeviceGetCount/nvmlDeviceGetHandleByIndex)");
    }

    bind(handle_, fn_.error_string, {"nvmlErrorString"});
    bind(handle_, fn_.device_get_name, {"nvmlDeviceGetName"});
    bind(handle_, fn_.device_get_uuid, {"nvmlDeviceGetUUID"});
    bind(handle_, fn_.device_get_utilization_rates, {"nvmlDeviceGetUtilizationRates"});
    bind(handle_, fn_.device_get_memory_info, {"nvmlDeviceGetMemoryInfo"});
    bind(handle_, fn_.device_get_memory_info_v2, {"nvmlDeviceGetMemoryInfo_v2"});
    bind(handle_, fn_.device_get_temperature, {"nvmlDeviceGetTemperature"});
    bind(handle_, fn_.device_get_power_usage, {"nvmlDeviceGetPowerUsage"});
    bind(handle_, fn_.device_get_enforced_power_limit, {"nvmlDeviceGetEnforcedPowerLimit"});
    bind(handle_, fn_.device_get_fan_speed, {"nvmlDeviceGetFanSpeed"});
    bind(handle_, fn_.device_get_mig_mode, {"nvmlDeviceGetMigMode"});
    bind(handle_, fn_.device_get_process_utilization, {"nvmlDeviceGetProcessUtilization"});
    fn_.compute_processes_layout =
        layout_for(bind(handle_, fn_.device_get_compute_running_processes,
                        {"nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2",
                         "nvmlDeviceGetComputeRunningProcesses"}));
    fn_.graphics_processes_layout =
        layout_for(bind(handle_, fn_.device_get_graphics_running_processes,
                        {"nvmlDeviceGetGraphicsRunningProcesses_v3", "nvmlDeviceGetGraphicsRunningProcesses_v2",
                         "nvmlDeviceGetGraphicsRunningProcesses"}));

    NvmlReturn rc = fn_.init();
    if (rc != kNvmlSuccess) {
        std::string reason = error_string(rc);
        dlclose(handle_);
        throw util::Error("gpu: no NVIDIA driver found (" + path + " loaded, but nvmlInit failed: " + reason + ")");
    }
}

NvmlLibrary::~NvmlLibrary() {
    // Nothing useful to do with a failing shutdown while tearing down.
    static_cast<void>(fn_.shutdown());
    dlclose(handle_);
}

std::string NvmlLibrary::error_string(NvmlReturn rc) const {
    if (fn_.error_string != nullptr) {
        if (const char* text = fn_.error_string(rc)) return text;
    }
    return "NVML error " + std::to_string(rc);
}

}  // namespace cmon::sources
