// dlopen/dlsym loader for NVML. Symbol names and the versioning scheme come from nvml.h
// (NVML_NO_UNVERSIONED_FUNC_DEFS block: nvmlInit -> nvmlInit_v2, nvmlDeviceGetCount -> _v2,
// nvmlDeviceGetHandleByIndex -> _v2, nvmlDevice{Compute,Graphics,MPSCompute}RunningProcesses -> _v3).
#include "sources/gpu/nvml/nvml_library.hpp"

#include <dlfcn.h>

#include <cstring>
#include <initializer_list>
#include <vector>

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

bool exports(void* handle, const char* name) { return dlsym(handle, name) != nullptr; }

// names are {_v3, _v2, plain}.
NvmlProcessCall call_for(int found_index) {
    return found_index == 0 ? NvmlProcessCall::kV3 : found_index == 1 ? NvmlProcessCall::kV2 : NvmlProcessCall::kPlain;
}

std::string open_error_message(const std::string& path) {
    const char* raw = dlerror();
    std::string detail = raw != nullptr ? raw : "cannot open";
    // glibc's message usually starts with the path already.
    if (detail.rfind(path, 0) != 0) detail = path + ": " + detail;
    return "gpu: no NVIDIA driver found (" + detail + ")";
}

}  // namespace

void NvmlLibrary::HandleCloser::operator()(void* handle) const {
    if (handle != nullptr) dlclose(handle);
}

NvmlLibrary::NvmlLibrary(const std::string& path) : path_(path) {
    // RTLD_LOCAL: NVML symbols stay out of the global namespace; RTLD_NOW: fail here, not mid-sample.
    handle_.reset(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!handle_) throw util::Error(open_error_message(path));
    void* h = handle_.get();

    bool complete = bind(h, fn_.init, {"nvmlInit_v2", "nvmlInit"}) >= 0;
    complete = bind(h, fn_.shutdown, {"nvmlShutdown"}) >= 0 && complete;
    complete = bind(h, fn_.device_get_count, {"nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"}) >= 0 && complete;
    complete =
        bind(h, fn_.device_get_handle_by_index, {"nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"}) >= 0 &&
        complete;
    if (!complete) {
        throw util::Error("gpu: no NVIDIA driver found (" + path +
                          " lacks nvmlInit/nvmlShutdown/nvmlDeviceGetCount/nvmlDeviceGetHandleByIndex)");
    }
    bind_optional();

    NvmlReturn rc = fn_.init();
    if (rc != kNvmlSuccess) {
        throw util::Error("gpu: no NVIDIA driver found (" + path + " loaded, but nvmlInit failed: " + error_string(rc) +
                          ")");
    }
    if (fn_.system_get_driver_version != nullptr) {
        std::vector<char> buffer(kNvmlSystemDriverVersionBufferSize, '\0');
        if (fn_.system_get_driver_version(buffer.data(), kNvmlSystemDriverVersionBufferSize) == kNvmlSuccess) {
            buffer.back() = '\0';
            driver_version_ = std::string(buffer.data());
        }
    }
    choose_process_layouts();
}

void NvmlLibrary::bind_optional() {
    void* h = handle_.get();
    bind(h, fn_.error_string, {"nvmlErrorString"});
    bind(h, fn_.system_get_driver_version, {"nvmlSystemGetDriverVersion"});
    bind(h, fn_.device_get_name, {"nvmlDeviceGetName"});
    bind(h, fn_.device_get_uuid, {"nvmlDeviceGetUUID"});
    bind(h, fn_.device_get_utilization_rates, {"nvmlDeviceGetUtilizationRates"});
    bind(h, fn_.device_get_memory_info, {"nvmlDeviceGetMemoryInfo"});
    bind(h, fn_.device_get_memory_info_v2, {"nvmlDeviceGetMemoryInfo_v2"});
    bind(h, fn_.device_get_temperature, {"nvmlDeviceGetTemperature"});
    bind(h, fn_.device_get_temperature_v, {"nvmlDeviceGetTemperatureV"});
    bind(h, fn_.device_get_power_usage, {"nvmlDeviceGetPowerUsage"});
    bind(h, fn_.device_get_enforced_power_limit, {"nvmlDeviceGetEnforcedPowerLimit"});
    bind(h, fn_.device_get_fan_speed, {"nvmlDeviceGetFanSpeed"});
    bind(h, fn_.device_get_clock_info, {"nvmlDeviceGetClockInfo"});
    bind(h, fn_.device_get_max_clock_info, {"nvmlDeviceGetMaxClockInfo"});
    bind(h, fn_.device_get_mig_mode, {"nvmlDeviceGetMigMode"});
    bind(h, fn_.device_get_max_mig_device_count, {"nvmlDeviceGetMaxMigDeviceCount"});
    bind(h, fn_.device_get_mig_device_handle_by_index, {"nvmlDeviceGetMigDeviceHandleByIndex"});
    bind(h, fn_.device_get_gpu_instance_id, {"nvmlDeviceGetGpuInstanceId"});
    bind(h, fn_.device_get_compute_instance_id, {"nvmlDeviceGetComputeInstanceId"});
    bind(h, fn_.device_get_process_utilization, {"nvmlDeviceGetProcessUtilization"});
    bind(h, fn_.gpm_sample_alloc, {"nvmlGpmSampleAlloc"});
    bind(h, fn_.gpm_sample_free, {"nvmlGpmSampleFree"});
    bind(h, fn_.gpm_mig_sample_get, {"nvmlGpmMigSampleGet"});
    bind(h, fn_.gpm_metrics_get, {"nvmlGpmMetricsGet"});
}

void NvmlLibrary::choose_process_layouts() {
    void* h = handle_.get();
    NvmlProcessSymbols symbols;
    symbols.conf_compute_mem_size_info = exports(h, "nvmlDeviceGetConfComputeMemSizeInfo");
    symbols.running_process_detail_list = exports(h, "nvmlDeviceGetRunningProcessDetailList");
    std::optional<NvmlDriverVersion> version;
    if (driver_version_) version = parse_nvml_driver_version(*driver_version_);
    auto layout = [&](NvmlFunctions::ProcessesFn& slot, std::initializer_list<const char*> names) {
        int found = bind(h, slot, names);
        if (found < 0) return NvmlProcessLayout{};
        symbols.found = call_for(found);
        return choose_process_layout(symbols, version);
    };
    fn_.compute_processes_layout =
        layout(fn_.device_get_compute_running_processes,
               {"nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2",
                "nvmlDeviceGetComputeRunningProcesses"});
    fn_.graphics_processes_layout =
        layout(fn_.device_get_graphics_running_processes,
               {"nvmlDeviceGetGraphicsRunningProcesses_v3", "nvmlDeviceGetGraphicsRunningProcesses_v2",
                "nvmlDeviceGetGraphicsRunningProcesses"});
    fn_.mps_processes_layout =
        layout(fn_.device_get_mps_compute_running_processes,
               {"nvmlDeviceGetMPSComputeRunningProcesses_v3", "nvmlDeviceGetMPSComputeRunningProcesses_v2",
                "nvmlDeviceGetMPSComputeRunningProcesses"});
}

NvmlLibrary::~NvmlLibrary() {
    // Nothing useful to do with a failing shutdown while tearing down; handle_'s deleter dlcloses after.
    static_cast<void>(fn_.shutdown());
}

std::string NvmlLibrary::error_string(NvmlReturn rc) const {
    if (fn_.error_string != nullptr) {
        if (const char* text = fn_.error_string(rc)) return text;
    }
    return "NVML error " + std::to_string(rc);
}

std::string nvml_return_name(NvmlReturn rc) {
    switch (rc) {
        case kNvmlErrorUninitialized:
            return "UNINITIALIZED";
        case kNvmlErrorInvalidArgument:
            return "INVALID_ARGUMENT";
        case kNvmlErrorNotSupported:
            return "NOT_SUPPORTED";
        case kNvmlErrorNoPermission:
            return "NO_PERMISSION";
        case kNvmlErrorNotFound:
            return "NOT_FOUND";
        case kNvmlErrorInsufficientSize:
            return "INSUFFICIENT_SIZE";
        case kNvmlErrorDriverNotLoaded:
            return "DRIVER_NOT_LOADED";
        case kNvmlErrorFunctionNotFound:
            return "FUNCTION_NOT_FOUND";
        case kNvmlErrorGpuIsLost:
            return "GPU_IS_LOST";
        case kNvmlErrorArgumentVersionMismatch:
            return "ARGUMENT_VERSION_MISMATCH";
        case kNvmlErrorDeprecated:
            return "DEPRECATED";
        case kNvmlErrorNotReady:
            return "NOT_READY";
        case kNvmlErrorUnknown:
            return "UNKNOWN";
        default:
            return "NVML error " + std::to_string(rc);
    }
}

}  // namespace cmon::sources
