// Our own declarations of the small part of the NVML C ABI we call; we never include nvml.h, so the build
// needs no CUDA toolkit. Pure declarations: no I/O.
//
// Source of every layout and constant: NVIDIA's nvml.h (NVML API version 12, "Copyright 1993-2023 NVIDIA",
// as mirrored in github.com/XuehaiPan/nvml-dev/nvml.h) and the NVML API reference
// (docs.nvidia.com/deploy/nvml-api). The static_asserts pin the sizes and offsets that header implies on
// LP64 Linux, so a careless edit cannot silently change the ABI.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cmon::sources {

// nvmlReturn_t is a C enum: int-sized.
using NvmlReturn = int;

inline constexpr NvmlReturn kNvmlSuccess = 0;
inline constexpr NvmlReturn kNvmlErrorUninitialized = 1;
inline constexpr NvmlReturn kNvmlErrorInvalidArgument = 2;
inline constexpr NvmlReturn kNvmlErrorNotSupported = 3;
inline constexpr NvmlReturn kNvmlErrorNoPermission = 4;
inline constexpr NvmlReturn kNvmlErrorNotFound = 6;
inline constexpr NvmlReturn kNvmlErrorInsufficientSize = 7;
inline constexpr NvmlReturn kNvmlErrorDriverNotLoaded = 9;
inline constexpr NvmlReturn kNvmlErrorFunctionNotFound = 13;
inline constexpr NvmlReturn kNvmlErrorGpuIsLost = 15;
inline constexpr NvmlReturn kNvmlErrorArgumentVersionMismatch = 25;
inline constexpr NvmlReturn kNvmlErrorDeprecated = 26;
inline constexpr NvmlReturn kNvmlErrorNotReady = 27;
inline constexpr NvmlReturn kNvmlErrorUnknown = 999;

// NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.
inline constexpr unsigned kNvmlSystemDriverVersionBufferSize = 80;

// nvmlClockType_t: NVML_CLOCK_GRAPHICS 0, NVML_CLOCK_SM 1, NVML_CLOCK_MEM 2, NVML_CLOCK_VIDEO 3.
inline constexpr int kNvmlClockSm = 1;
inline constexpr int kNvmlClockMem = 2;

// nvmlDeviceGetGpuInstanceId / ComputeInstanceId and nvmlProcessInfo_v2_t's ids when MIG is off.
inline constexpr unsigned kNvmlNoInstance = 0xFFFFFFFFU;

// nvml.h: #define NVML_VALUE_NOT_AVAILABLE (-1), stored into unsigned long long fields such as usedGpuMemory.
inline constexpr unsigned long long kNvmlValueNotAvailable = static_cast<unsigned long long>(-1);

// nvmlTemperatureSensors_t: NVML_TEMPERATURE_GPU = 0.
inline constexpr int kNvmlTemperatureGpu = 0;
// nvmlDeviceGetMigMode's currentMode: NVML_DEVICE_MIG_DISABLE 0, NVML_DEVICE_MIG_ENABLE 1.
inline constexpr unsigned kNvmlDeviceMigEnable = 1;

// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE are both 96.
inline constexpr unsigned kNvmlDeviceNameBufferSize = 96;
inline constexpr unsigned kNvmlDeviceUuidBufferSize = 96;

// typedef struct nvmlDevice_st* nvmlDevice_t; opaque.
struct NvmlDeviceOpaque;
using NvmlDevice = NvmlDeviceOpaque*;

// nvmlUtilization_t {unsigned int gpu; unsigned int memory;}
struct NvmlUtilization {
    unsigned int gpu;
    unsigned int memory;
};
static_assert(sizeof(NvmlUtilization) == 8);

// nvmlMemory_t (v1) {total; free; used;} all unsigned long long, in bytes.
struct NvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};
static_assert(sizeof(NvmlMemory) == 24);

// nvmlMemory_v2_t {unsigned int version; total; reserved; free; used;}. `version` must be
// nvmlMemory_v2 = NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | (2 << 24).
struct NvmlMemoryV2 {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
};
static_assert(sizeof(NvmlMemoryV2) == 40 && offsetof(NvmlMemoryV2, total) == 8);
inline constexpr unsigned int kNvmlMemoryV2Version = static_cast<unsigned int>(sizeof(NvmlMemoryV2)) | (2U << 24U);

// nvmlProcessInfo_v1_t {pid; usedGpuMemory;}: what the unversioned nvmlDevice*RunningProcesses fill.
struct NvmlProcessInfoV1 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
};
static_assert(sizeof(NvmlProcessInfoV1) == 16 && offsetof(NvmlProcessInfoV1, usedGpuMemory) == 8);

// nvmlProcessInfo_v2_t (== nvmlProcessInfo_t in the current header) {pid; usedGpuMemory; gpuInstanceId;
// computeInstanceId;}: what the _v2 and _v3 nvmlDevice*RunningProcesses fill. The instance ids are
// 0xFFFFFFFF unless MIG is enabled.
struct NvmlProcessInfoV2 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
};
static_assert(sizeof(NvmlProcessInfoV2) == 24 && offsetof(NvmlProcessInfoV2, gpuInstanceId) == 16);

// R535.43.02 - 535.86.x drivers (CUDA 12.2 headers) wrote a larger struct from the _v3 functions: the v2
// layout plus `unsigned long long usedGpuCcProtectedMemory` (32 bytes); NVIDIA later moved that struct to
// nvmlDeviceGetRunningProcessDetailList (nvmlProcessDetail_v1_t) and _v3 went back to 24 bytes from
// 535.104.05 on. nvml_process_layout.hpp decides which one a loaded library writes. Buffers are always
// sized for 32 bytes per entry, so no driver can write past them.
struct NvmlProcessInfoV3Cc {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
    unsigned long long usedGpuCcProtectedMemory;
};
static_assert(sizeof(NvmlProcessInfoV3Cc) == 32 && offsetof(NvmlProcessInfoV3Cc, usedGpuCcProtectedMemory) == 24);
inline constexpr std::size_t kNvmlLargestProcessInfoSize = 32;

// nvmlTemperature_v1_t {unsigned int version; nvmlTemperatureSensors_t sensorType; int temperature;} for
// nvmlDeviceGetTemperatureV; version = NVML_STRUCT_VERSION(Temperature, 1).
struct NvmlTemperatureV1 {
    unsigned int version;
    int sensorType;
    int temperature;
};
static_assert(sizeof(NvmlTemperatureV1) == 12);
inline constexpr unsigned int kNvmlTemperatureV1Version =
    static_cast<unsigned int>(sizeof(NvmlTemperatureV1)) | (1U << 24U);

// GPM (Hopper+): typedef struct nvmlGpmSample_st* nvmlGpmSample_t; nvmlGpmMetric_t {metricId; nvmlReturn;
// double value; {shortName, longName, unit} char pointers}; nvmlGpmMetricsGet_t {version; numMetrics;
// sample1; sample2; metrics[NVML_GPM_METRIC_MAX]}. The library reads only numMetrics entries, so a
// shorter array than the header's is the same ABI for what we pass.
struct NvmlGpmSampleOpaque;
using NvmlGpmSample = NvmlGpmSampleOpaque*;
struct NvmlGpmMetric {
    unsigned int metricId;
    NvmlReturn nvmlReturn;
    double value;
    const char* shortName;
    const char* longName;
    const char* unit;
};
static_assert(sizeof(NvmlGpmMetric) == 40 && offsetof(NvmlGpmMetric, value) == 8);
inline constexpr unsigned kNvmlGpmMetricsWeAsk = 1;
struct NvmlGpmMetricsGet {
    unsigned int version;
    unsigned int numMetrics;
    NvmlGpmSample sample1;
    NvmlGpmSample sample2;
    NvmlGpmMetric metrics[kNvmlGpmMetricsWeAsk];
};
static_assert(offsetof(NvmlGpmMetricsGet, metrics) == 24);
inline constexpr unsigned int kNvmlGpmMetricsGetVersion = 1;  // NVML_GPM_METRICS_GET_VERSION
inline constexpr unsigned int kNvmlGpmMetricSmUtil = 2;       // NVML_GPM_METRIC_SM_UTIL

// nvmlProcessUtilizationSample_t {pid; unsigned long long timeStamp (CPU time, microseconds);
// smUtil; memUtil; encUtil; decUtil;}
struct NvmlProcessUtilizationSample {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil;
    unsigned int memUtil;
    unsigned int encUtil;
    unsigned int decUtil;
};
static_assert(sizeof(NvmlProcessUtilizationSample) == 32 && offsetof(NvmlProcessUtilizationSample, smUtil) == 16);

}  // namespace cmon::sources
