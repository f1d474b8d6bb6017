// Stand-in libnvidia-ml.so.1 for tests: exports, with C linkage and NVIDIA's symbol names (versioned ones
// included), exactly the NVML functions the monitor calls, with the real struct layouts and return codes.
// Deliberately does NOT include src/sources/gpu/nvml/nvml_types.hpp: it restates the layouts from nvml.h on
// its own (NVML API version 12 header, github.com/XuehaiPan/nvml-dev/nvml.h), so a layout mistake on our
// side shows up as a test failure instead of being mirrored here.
//
// Driven by the scenario JSON file named in $CMON_FAKE_NVML_SCENARIO, re-read whenever its path, inode,
// size or mtime changes (tests rewrite it while the monitor runs; write a temp file and rename() it):
//   {"gpus": [{"name", "uuid", "memory_total", "memory_used", "util", "memory_util", "temperature",
//              "power_mw", "power_limit_mw", "fan", "mig", "lost": false,
//              "processes": [{"pid", "used_memory", "sm_util", "type": "compute|graphics"}]}],
//    "insufficient_size_first_call": true, "init_error": 9}
// A device field that is absent answers NVML_ERROR_NOT_SUPPORTED; a lost GPU answers NVML_ERROR_GPU_IS_LOST;
// a process without used_memory reports NVML_VALUE_NOT_AVAILABLE; without sm_util it has no samples.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

// nvmlReturn_t values (nvml.h, enum nvmlReturn_enum).
enum : int {
    kSuccess = 0,
    kUninitialized = 1,
    kInvalidArgument = 2,
    kNotSupported = 3,
    kNotFound = 6,
    kInsufficientSize = 7,
    kGpuIsLost = 15,
};

struct Process {
    unsigned pid = 0;
    std::optional<unsigned long long> used_memory;
    std::optional<unsigned> sm_util;
    bool graphics = false;
};

struct Gpu {
    std::optional<std::string> name, uuid;
    std::optional<unsigned long long> memory_total, memory_used;
    std::optional<unsigned> util, memory_util, temperature, power_mw, power_limit_mw, fan;
    std::optional<bool> mig;
    bool lost = false;
    std::vector<Process> processes;
};

struct Scenario {
    std::vector<Gpu> gpus;
    bool insufficient_size_first_call = false;
    int init_error = kSuccess;
};

// One per possible device: nvmlDevice_t handles point here.
constexpr unsigned kMaxGpus = 64;
struct DeviceSlot {
    unsigned index;
};
DeviceSlot g_slots[kMaxGpus];

std::mutex g_mutex;
Scenario g_scenario;
std::string g_loaded_key;
int g_init_count = 0;
// (device, function) pairs that already answered INSUFFICIENT_SIZE once since the scenario was loaded.
std::set<std::pair<unsigned, int>> g_first_calls_done;

template <class T>
std::optional<T> optional_field(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    return it->get<T>();
}

Scenario parse_scenario(const nlohmann::json& root) {
    Scenario scenario;
    scenario.insufficient_size_first_call = root.value("insufficient_size_first_call", false);
    scenario.init_error = root.value("init_error", 0);
    for (const auto& entry : root.value("gpus", nlohmann::json::array())) {
        Gpu gpu;
        gpu.name = optional_field<std::string>(entry, "name");
        gpu.uuid = optional_field<std::string>(entry, "uuid");
        gpu.memory_total = optional_field<unsigned long long>(entry, "memory_total");
        gpu.memory_used = optional_field<unsigned long long>(entry, "memory_used");
        gpu.util = optional_field<unsigned>(entry, "util");
        gpu.memory_util = optional_field<unsigned>(entry, "memory_util");
        gpu.temperature = optional_field<unsigned>(entry, "temperature");
        gpu.power_mw = optional_field<unsigned>(entry, "power_mw");
        gpu.power_limit_mw = optional_field<unsigned>(entry, "power_limit_mw");
        gpu.fan = optional_field<unsigned>(entry, "fan");
        gpu.mig = optional_field<bool>(entry, "mig");
        gpu.lost = entry.value("lost", false);
        for (const auto& p : entry.value("processes", nlohmann::json::array())) {
            Process process;
            process.pid = p.at("pid").get<unsigned>();
            process.used_memory = optional_field<unsigned long long>(p, "used_memory");
            process.sm_util = optional_field<unsigned>(p, "sm_util");
            process.graphics = p.value("type", std::string("compute")) == "graphics";
            gpu.processes.push_back(process);
        }
        if (gpu.util && !gpu.memory_util) gpu.memory_util = 0;
        scenario.gpus.push_back(std::move(gpu));
    }
    if (scenario.gpus.size() > kMaxGpus) scenario.gpus.resize(kMaxGpus);
    return scenario;
}

// Caller holds g_mutex.
void refresh_scenario() {
    const char* path = std::getenv("CMON_FAKE_NVML_SCENARIO");
    if (path == nullptr || *path == '\0') {
        if (!g_loaded_key.empty()) g_scenario = Scenario{};
        g_loaded_key.clear();
        return;
    }
    struct stat st {};
    if (stat(path, &st) != 0) return;
    std::string key = std::string(path) + '|' + std::to_string(st.st_ino) + '|' + std::to_string(st.st_size) + '|' +
                      std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
    if (key == g_loaded_key) return;
    std::ifstream in(path);
    nlohmann::json root = nlohmann::json::parse(in, nullptr, false);
    if (root.is_discarded()) {
        std::fprintf(stderr, "fake_nvml: cannot parse scenario %s\n", path);
        return;
    }
    try {
        g_scenario = parse_scenario(root);
    } catch (const nlohmann::json::exception& error) {
        std::fprintf(stderr, "fake_nvml: bad scenario %s: %s\n", path, error.what());
        return;
    }
    g_loaded_key = key;
    g_first_calls_done.clear();
}

// Resolves a handle under the lock; nullptr for junk handles.
const Gpu* gpu_of(void* device, unsigned* index_out = nullptr) {
    auto* slot = static_cast<DeviceSlot*>(device);
    if (slot < g_slots || slot >= g_slots + kMaxGpus) return nullptr;
    unsigned index = static_cast<unsigned>(slot - g_slots);
    if (index >= g_scenario.gpus.size()) return nullptr;
    if (index_out != nullptr) *index_out = index;
    return &g_scenario.gpus[index];
}

// The common prologue of every device query: lock, refresh, check init and handle, lost.
#define FAKE_DEVICE_PROLOGUE(device)              \
    std::lock_guard<std::mutex> lock(g_mutex);    \
    refresh_scenario();                           \
    if (g_init_count == 0) return kUninitialized; \
    unsigned gpu_index = 0;                       \
    const Gpu* gpu = gpu_of(device, &gpu_index);  \
    if (gpu == nullptr) return kInvalidArgument;  \
    if (gpu->lost) return kGpuIsLost;             \
    static_cast<void>(gpu_index)

template <class T>
int answer(const std::optional<T>& field, unsigned* out) {
    if (out == nullptr) return kInvalidArgument;
    if (!field) return kNotSupported;
    *out = static_cast<unsigned>(*field);
    return kSuccess;
}

int copy_text(const std::optional<std::string>& field, char* out, unsigned length) {
    if (out == nullptr) return kInvalidArgument;
    if (!field) return kNotSupported;
    if (field->size() + 1 > length) return kInsufficientSize;
    std::memcpy(out, field->c_str(), field->size() + 1);
    return kSuccess;
}

// True once per (device, function) when the scenario asks for a first INSUFFICIENT_SIZE.
bool force_insufficient(unsigned gpu_index, int function_id) {
    if (!g_scenario.insufficient_size_first_call) return false;
    return g_first_calls_done.insert({gpu_index, function_id}).second;
}

// nvmlProcessInfo_v1_t and nvmlProcessInfo_v2_t (the latter is what _v2 and _v3 fill).
struct ProcessInfoV1 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
};
struct ProcessInfoV2 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
};
constexpr unsigned long long kValueNotAvailable = static_cast<unsigned long long>(-1);  // NVML_VALUE_NOT_AVAILABLE
constexpr unsigned int kNoInstance = 0xFFFFFFFFU;

template <class Info>
int running_processes(void* device, unsigned int* count, Info* infos, bool graphics, int function_id) {
    FAKE_DEVICE_PROLOGUE(device);
    if (count == nullptr) return kInvalidArgument;
    std::vector<const Process*> matching;
    for (const Process& p : gpu->processes) {
        if (p.graphics == graphics) matching.push_back(&p);
    }
    const auto needed = static_cast<unsigned>(matching.size());
    // NVML: when *count is too small, answer INSUFFICIENT_SIZE and write the needed count.
    if (force_insufficient(gpu_index, function_id) || *count < needed || (needed > 0 && infos == nullptr)) {
        *count = needed;
        return kInsufficientSize;
    }
    for (unsigned i = 0; i < needed; ++i) {
        Info info{};
        info.pid = matching[i]->pid;
        info.usedGpuMemory = matching[i]->used_memory.value_or(kValueNotAvailable);
        if constexpr (sizeof(Info) == sizeof(ProcessInfoV2)) {
            info.gpuInstanceId = kNoInstance;
            info.computeInstanceId = kNoInstance;
        }
        infos[i] = info;
    }
    *count = needed;
    return kSuccess;
}

unsigned long long now_microseconds() {
    return static_cast<unsigned long long>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

// nvmlMemory_t, nvmlMemory_v2_t, nvmlUtilization_t, nvmlProcessUtilizationSample_t as in nvml.h.
struct FakeMemory {
    unsigned long long total, free, used;
};
struct FakeMemoryV2 {
    unsigned int version;
    unsigned long long total, reserved, free, used;
};
struct FakeUtilization {
    unsigned int gpu, memory;
};
struct FakeProcessSample {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil, memUtil, encUtil, decUtil;
};

FAKE_EXPORT int nvmlInit_v2() {
    std::lock_guard<std::mutex> lock(g_mutex);
    refresh_scenario();
    if (g_scenario.init_error != kSuccess) return g_scenario.init_error;
    ++g_init_count;
    return kSuccess;
}
FAKE_EXPORT int nvmlInit() { return nvmlInit_v2(); }

FAKE_EXPORT int nvmlShutdown() {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_init_count == 0) return kUninitialized;
    --g_init_count;
    return kSuccess;
}

FAKE_EXPORT const char* nvmlErrorString(int rc) {
    switch (rc) {
        case kSuccess:
            return "Success";
        case kUninitialized:
            return "Uninitialized";
        case kInvalidArgument:
            return "Invalid Argument";
        case kNotSupported:
            return "Not Supported";
        case kNotFound:
            return "Not Found";
        case kInsufficientSize:
            return "Insufficient Size";
        case 9:
            return "Driver Not Loaded";
        case kGpuIsLost:
            return "GPU is lost";
        default:
            return "Unknown Error";
    }
}

FAKE_EXPORT int nvmlDeviceGetCount_v2(unsigned int* count) {
    std::lock_guard<std::mutex> lock(g_mutex);
    refresh_scenario();
    if (g_init_count == 0) return kUninitialized;
    if (count == nullptr) return kInvalidArgument;
    *count = static_cast<unsigned>(g_scenario.gpus.size());
    return kSuccess;
}
FAKE_EXPORT int nvmlDeviceGetCount(unsigned int* count) { return nvmlDeviceGetCount_v2(count); }

FAKE_EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
    std::lock_guard<std::mutex> lock(g_mutex);
    refresh_scenario();
    if (g_init_count == 0) return kUninitialized;
    if (device == nullptr || index >= g_scenario.gpus.size()) return kInvalidArgument;
    g_slots[index].index = index;
    *device = &g_slots[index];
    return kSuccess;
}
FAKE_EXPORT int nvmlDeviceGetHandleByIndex(unsigned int index, void** device) {
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

FAKE_EXPORT int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
    FAKE_DEVICE_PROLOGUE(device);
    return copy_text(gpu->name, name, length);
}

FAKE_EXPORT int nvmlDeviceGetUUID(void* device, char* uuid, unsigned int length) {
    FAKE_DEVICE_PROLOGUE(device);
    return copy_text(gpu->uuid, uuid, length);
}

FAKE_EXPORT int nvmlDeviceGetUtilizationRates(void* device, FakeUtilization* utilization) {
    FAKE_DEVICE_PROLOGUE(device);
    if (utilization == nullptr) return kInvalidArgument;
    if (!gpu->util) return kNotSupported;
    utilization->gpu = *gpu->util;
    utilization->memory = gpu->memory_util.value_or(0);
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetMemoryInfo(void* device, FakeMemory* memory) {
    FAKE_DEVICE_PROLOGUE(device);
    if (memory == nullptr) return kInvalidArgument;
    if (!gpu->memory_total) return kNotSupported;
    memory->total = *gpu->memory_total;
    memory->used = std::min(gpu->memory_used.value_or(0), *gpu->memory_total);
    memory->free = memory->total - memory->used;
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetMemoryInfo_v2(void* device, FakeMemoryV2* memory) {
    FAKE_DEVICE_PROLOGUE(device);
    if (memory == nullptr) return kInvalidArgument;
    // nvmlMemory_v2 = NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | 2 << 24.
    if (memory->version != (static_cast<unsigned>(sizeof(FakeMemoryV2)) | (2U << 24U)))
        return 25;  // ARGUMENT_VERSION_MISMATCH
    if (!gpu->memory_total) return kNotSupported;
    memory->total = *gpu->memory_total;
    memory->reserved = 0;
    memory->used = std::min(gpu->memory_used.value_or(0), *gpu->memory_total);
    memory->free = memory->total - memory->used;
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetTemperature(void* device, int sensor, unsigned int* temperature) {
    FAKE_DEVICE_PROLOGUE(device);
    if (sensor != 0) return kInvalidArgument;  // NVML_TEMPERATURE_GPU is the only sensor
    return answer(gpu->temperature, temperature);
}

FAKE_EXPORT int nvmlDeviceGetPowerUsage(void* device, unsigned int* power) {
    FAKE_DEVICE_PROLOGUE(device);
    return answer(gpu->power_mw, power);
}

FAKE_EXPORT int nvmlDeviceGetEnforcedPowerLimit(void* device, unsigned int* limit) {
    FAKE_DEVICE_PROLOGUE(device);
    return answer(gpu->power_limit_mw, limit);
}

FAKE_EXPORT int nvmlDeviceGetFanSpeed(void* device, unsigned int* speed) {
    FAKE_DEVICE_PROLOGUE(device);
    return answer(gpu->fan, speed);
}

FAKE_EXPORT int nvmlDeviceGetMigMode(void* device, unsigned int* current, unsigned int* pending) {
    FAKE_DEVICE_PROLOGUE(device);
    if (current == nullptr || pending == nullptr) return kInvalidArgument;
    if (!gpu->mig) return kNotSupported;
    *current = *gpu->mig ? 1U : 0U;  // NVML_DEVICE_MIG_ENABLE / _DISABLE
    *pending = *current;
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses_v3(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, false, 1);
}
FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses_v2(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, false, 1);
}
FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses(void* device, unsigned int* count, ProcessInfoV1* infos) {
    return running_processes(device, count, infos, false, 1);
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v3(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, true, 2);
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v2(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, true, 2);
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses(void* device, unsigned int* count, ProcessInfoV1* infos) {
    return running_processes(device, count, infos, true, 2);
}

// Samples are stamped "now", so every call after a real pause has fresh ones newer than lastSeenTimeStamp;
// NOT_FOUND when no process has sm_util (NVML's answer when there are no samples newer than lastSeen).
FAKE_EXPORT int nvmlDeviceGetProcessUtilization(void* device, FakeProcessSample* samples, unsigned int* count,
                                                unsigned long long last_seen) {
    FAKE_DEVICE_PROLOGUE(device);
    if (count == nullptr) return kInvalidArgument;
    const unsigned long long now = std::max(now_microseconds(), last_seen + 1);
    std::vector<const Process*> active;
    for (const Process& p : gpu->processes) {
        if (p.sm_util &&
            std::none_of(active.begin(), active.end(), [&](const Process* a) { return a->pid == p.pid; })) {
            active.push_back(&p);
        }
    }
    if (active.empty()) return kNotFound;
    const auto needed = static_cast<unsigned>(active.size());
    if (force_insufficient(gpu_index, 3) || samples == nullptr || *count < needed) {
        *count = needed;
        return kInsufficientSize;
    }
    for (unsigned i = 0; i < needed; ++i) {
        samples[i] = FakeProcessSample{active[i]->pid, now, *active[i]->sm_util, 0, 0, 0};
    }
    *count = needed;
    return kSuccess;
}
