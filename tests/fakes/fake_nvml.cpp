// Stand-in libnvidia-ml.so.1 for tests: exports, with C linkage and NVIDIA's symbol names (versioned ones
// included), exactly the NVML functions the monitor calls, with the real struct layouts and return codes.
// Deliberately does NOT include src/sources/gpu/nvml/nvml_types.hpp: it restates the layouts from nvml.h on
// its own (NVML API version 12 header, github.com/NVIDIA/go-nvml gen/nvml/nvml.h), so a layout mistake on our
// side shows up as a test failure instead of being mirrored here.
//
// Driver profiles (CMON_FAKE_PROFILE at build time, one library per profile, each named libnvidia-ml.so.1 in
// its own folder; the scenario's "profile" says which one a test loads, see fake_nvml_scenario.hpp):
//   modern   550.54.15: every symbol; _v3 writes 24-byte entries; nvmlDeviceGetRunningProcessDetailList and
//            nvmlDeviceGetConfComputeMemSizeInfo exported; TemperatureV; GPM; MPS.
//   r535_54  535.54.03: _v3 writes 32-byte entries (v2 + usedGpuCcProtectedMemory), as 535.43.02-535.86 did;
//            ConfComputeMemSizeInfo but no RunningProcessDetailList; no TemperatureV.
//   r535_98  535.98: no _v3 at all (_v2, plain).
//   r450     450.80.02: only the plain process calls (16-byte entries), memory v1 only, no MPS/MIG/GPM.
//
// Driven by the scenario JSON file named in $CMON_FAKE_NVML_SCENARIO, re-read whenever its path, inode,
// size or mtime changes (tests rewrite it while the monitor runs; write a temp file and rename() it), as
// seen by the next nvmlInit / nvmlSystemGetDriverVersion / nvmlDeviceGetCount (the first call of every
// sample). The stand-in's own cost must not pass for the monitor's: it watches the file's directory with
// inotify and stat()s only after an event there (ScenarioWatch, refresh_scenario() below):
//   {"driver_version": "...",            (default: the profile's)
//    "insufficient_size_first_call": true, "init_error": 9,
//    "gpus": [{"name", "uuid", "memory_total", "memory_used", "memory_reserved", "util", "memory_util",
//              "temperature", "power_mw", "power_limit_mw", "fan", "sm_clock", "sm_clock_max", "mem_clock",
//              "mem_clock_max", "mig", "lost": false, "handle_error": 999,
//              "errors": {"nvmlDeviceGetTemperature": 26, ...},       (injected return code per function)
//              "processes": [{"pid", "used_memory", "type": "compute|graphics|mps",
//                             "sm_util",                              (a sample stamped "now" every call)
//                             "samples": [{"t": <driver us>, "sm": 40}]}],  (explicit driver timestamps)
//              "mig_devices": [{"uuid", "name", "gpu_instance_id", "compute_instance_id", "memory_total",
//                               "memory_used", "gpm_sm_util", "errors": {...}, "processes": [...]}]}]}
// A device field that is absent answers NVML_ERROR_NOT_SUPPORTED; a lost GPU answers NVML_ERROR_GPU_IS_LOST;
// a process without used_memory reports NVML_VALUE_NOT_AVAILABLE. nvmlDeviceGetProcessUtilization returns
// the samples newer than lastSeenTimeStamp and NOT_FOUND when there are none. With MIG on, the parent's
// process lists aggregate its slices' processes (unless an injected NO_PERMISSION says otherwise).
#include <fcntl.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#ifndef CMON_FAKE_PROFILE
#define CMON_FAKE_PROFILE 0
#endif
#define FAKE_MODERN (CMON_FAKE_PROFILE == 0)
#define FAKE_R535_54 (CMON_FAKE_PROFILE == 1)
#define FAKE_R535_98 (CMON_FAKE_PROFILE == 2)
#define FAKE_R450 (CMON_FAKE_PROFILE == 3)

namespace {

#if FAKE_MODERN
constexpr const char* kDefaultDriverVersion = "550.54.15";
#elif FAKE_R535_54
constexpr const char* kDefaultDriverVersion = "535.54.03";
#elif FAKE_R535_98
constexpr const char* kDefaultDriverVersion = "535.98";
#else
constexpr const char* kDefaultDriverVersion = "450.80.02";
#endif

// nvmlReturn_t values (nvml.h, enum nvmlReturn_enum).
enum : int {
    kSuccess = 0,
    kUninitialized = 1,
    kInvalidArgument = 2,
    kNotSupported = 3,
    kNoPermission = 4,
    kNotFound = 6,
    kInsufficientSize = 7,
    kGpuIsLost = 15,
    kArgumentVersionMismatch = 25,
};

struct Sample {
    unsigned long long t = 0;  // 0: stamped "now" at each call
    unsigned sm = 0;
};

struct Process {
    unsigned pid = 0;
    std::optional<unsigned long long> used_memory;
    std::vector<Sample> samples;
    std::string type = "compute";
};

struct Mig {
    std::optional<std::string> name, uuid;
    unsigned gpu_instance_id = 0, compute_instance_id = 0;
    std::optional<unsigned long long> memory_total, memory_used;
    std::optional<unsigned> gpm_sm_util;
    std::map<std::string, int> errors;
    std::vector<Process> processes;
};

struct Gpu {
    std::optional<std::string> name, uuid;
    std::optional<unsigned long long> memory_total, memory_used;
    unsigned long long memory_reserved = 0;
    std::optional<unsigned> util, memory_util, temperature, power_mw, power_limit_mw, fan;
    std::optional<unsigned> sm_clock, sm_clock_max, mem_clock, mem_clock_max;
    std::optional<bool> mig;
    bool lost = false;
    int handle_error = kSuccess;
    std::map<std::string, int> errors;
    std::vector<Process> processes;
    std::vector<Mig> migs;
};

struct Scenario {
    std::vector<Gpu> gpus;
    std::string driver_version = kDefaultDriverVersion;
    bool insufficient_size_first_call = false;
    int init_error = kSuccess;
};

// One per possible device and MIG slice: nvmlDevice_t handles point here.
constexpr unsigned kMaxGpus = 64;
constexpr unsigned kMaxMigs = 8;
struct DeviceSlot {
    unsigned index;
};
DeviceSlot g_slots[kMaxGpus];
DeviceSlot g_mig_slots[kMaxGpus][kMaxMigs];

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

std::map<std::string, int> parse_errors(const nlohmann::json& entry) {
    std::map<std::string, int> errors;
    auto found = entry.find("errors");
    if (found == entry.end() || !found->is_object()) return errors;
    for (const auto& [name, rc] : found->items()) errors[name] = rc.get<int>();
    return errors;
}

std::vector<Process> parse_processes(const nlohmann::json& entry) {
    std::vector<Process> out;
    for (const auto& p : entry.value("processes", nlohmann::json::array())) {
        Process process;
        process.pid = p.at("pid").get<unsigned>();
        process.used_memory = optional_field<unsigned long long>(p, "used_memory");
        if (auto sm = optional_field<unsigned>(p, "sm_util")) process.samples.push_back(Sample{0, *sm});
        for (const auto& s : p.value("samples", nlohmann::json::array()))
            process.samples.push_back(Sample{s.at("t").get<unsigned long long>(), s.at("sm").get<unsigned>()});
        process.type = p.value("type", std::string("compute"));
        out.push_back(process);
    }
    return out;
}

Scenario parse_scenario(const nlohmann::json& root) {
    Scenario scenario;
    scenario.insufficient_size_first_call = root.value("insufficient_size_first_call", false);
    scenario.init_error = root.value("init_error", 0);
    scenario.driver_version = root.value("driver_version", std::string(kDefaultDriverVersion));
    for (const auto& entry : root.value("gpus", nlohmann::json::array())) {
        Gpu gpu;
        gpu.name = optional_field<std::string>(entry, "name");
        gpu.uuid = optional_field<std::string>(entry, "uuid");
        gpu.memory_total = optional_field<unsigned long long>(entry, "memory_total");
        gpu.memory_used = optional_field<unsigned long long>(entry, "memory_used");
        gpu.memory_reserved = entry.value("memory_reserved", 0ULL);
        gpu.util = optional_field<unsigned>(entry, "util");
        gpu.memory_util = optional_field<unsigned>(entry, "memory_util");
        gpu.temperature = optional_field<unsigned>(entry, "temperature");
        gpu.power_mw = optional_field<unsigned>(entry, "power_mw");
        gpu.power_limit_mw = optional_field<unsigned>(entry, "power_limit_mw");
        gpu.fan = optional_field<unsigned>(entry, "fan");
        gpu.sm_clock = optional_field<unsigned>(entry, "sm_clock");
        gpu.sm_clock_max = optional_field<unsigned>(entry, "sm_clock_max");
        gpu.mem_clock = optional_field<unsigned>(entry, "mem_clock");
        gpu.mem_clock_max = optional_field<unsigned>(entry, "mem_clock_max");
        gpu.mig = optional_field<bool>(entry, "mig");
        gpu.lost = entry.value("lost", false);
        gpu.handle_error = entry.value("handle_error", 0);
        gpu.errors = parse_errors(entry);
        gpu.processes = parse_processes(entry);
        for (const auto& m : entry.value("mig_devices", nlohmann::json::array())) {
            Mig mig;
            mig.name = optional_field<std::string>(m, "name");
            mig.uuid = optional_field<std::string>(m, "uuid");
            mig.gpu_instance_id = m.value("gpu_instance_id", 0U);
            mig.compute_instance_id = m.value("compute_instance_id", 0U);
            mig.memory_total = optional_field<unsigned long long>(m, "memory_total");
            mig.memory_used = optional_field<unsigned long long>(m, "memory_used");
            mig.gpm_sm_util = optional_field<unsigned>(m, "gpm_sm_util");
            mig.errors = parse_errors(m);
            mig.processes = parse_processes(m);
            gpu.migs.push_back(std::move(mig));
        }
        if (gpu.migs.size() > kMaxMigs) gpu.migs.resize(kMaxMigs);
        if (gpu.util && !gpu.memory_util) gpu.memory_util = 0;
        scenario.gpus.push_back(std::move(gpu));
    }
    if (scenario.gpus.size() > kMaxGpus) scenario.gpus.resize(kMaxGpus);
    return scenario;
}

// Says whether the scenario file may have changed since the last check, without a path lookup.
// inotify queues an event before the write, rename or unlink that causes it returns, so a test that
// rewrites the file and then starts a sample always finds the event here: "nothing queued" means nothing
// to the file changed. An event for the file's name, for the directory itself, or an overflow sends the
// caller back to stat(), which decides as before; events for other names in the directory (other tests'
// files in /tmp, under a parallel ctest) do not. Without a watch (no inotify, a directory that is gone, a symlinked file whose
// target lives elsewhere) every check is treated as a possible change: a stat() per check.
class ScenarioWatch {
public:
    ScenarioWatch() = default;
    ScenarioWatch(const ScenarioWatch&) = delete;
    ScenarioWatch& operator=(const ScenarioWatch&) = delete;
    ~ScenarioWatch() { close_watch(); }  // dlclose() runs it: a reloaded stand-in starts over
    // True when the file at `path` must be stat()ed again. Caller holds g_mutex.
    bool maybe_changed(const char* path) {
        if (watched_path_ != path) {
            close_watch();
            watched_path_ = path;
            arm(path);
            return true;
        }
        if (fd_ < 0) {
            arm(path);
            return true;
        }
        bool any = false;
        alignas(struct inotify_event) char buffer[4096];
        for (;;) {
            ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n <= 0) break;
            for (ssize_t at = 0; at < n;) {
                const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + at);
                // The directory itself went away or was moved: the watch no longer covers the path.
                if ((event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) close_watch();
                const bool named = event->len > 0 && std::string_view(event->name) == watched_name();
                any = any || named || event->len == 0 || (event->mask & IN_Q_OVERFLOW) != 0;
                at += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
            }
            if (fd_ < 0) break;
        }
        return any;
    }
    // After fork() the child shares the parent's inotify description: one of them would eat the other's
    // events. The child starts over with its own.
    void forget_after_fork() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        watched_path_.clear();
    }
    std::uint64_t watches() const { return watches_; }

private:
    void close_watch() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void arm(const char* path) {
        struct stat link {};
        // A symlink's target may be replaced in another directory, which this watch would not see.
        if (::lstat(path, &link) == 0 && S_ISLNK(link.st_mode)) return;
        std::string directory(path);
        auto slash = directory.rfind('/');
        directory = slash == std::string::npos ? std::string(".")
                    : slash == 0               ? std::string("/")
                                               : directory.substr(0, slash);
        int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) return;
        constexpr std::uint32_t kEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                                          IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
        if (::inotify_add_watch(fd, directory.c_str(), kEvents) < 0) {
            ::close(fd);
            return;
        }
        fd_ = fd;
        ++watches_;
    }

    // The file's name within the watched directory.
    std::string_view watched_name() const {
        const std::string_view path = watched_path_;
        const auto slash = path.rfind('/');
        return slash == std::string_view::npos ? path : path.substr(slash + 1);
    }

    int fd_ = -1;
    std::string watched_path_;
    std::uint64_t watches_ = 0;
};

ScenarioWatch g_watch;
std::uint64_t g_scenario_stats = 0;  // stat() calls on the scenario file (the stand-in's own cost, for tests)

std::uint64_t g_scenario_checks = 0;  // refresh_scenario() calls that reached the watch

// Loads the scenario again if its file changed. Called where a caller starts a round of queries
// (nvmlInit, nvmlSystemGetDriverVersion, nvmlDeviceGetCount: nobody asks for a device handle without the
// count), not in every device query: a test that rewrites the file between two samples sees it from the
// next sample's first call on, and one sample never mixes two scenarios. The stand-in thus costs one
// non-blocking read() per round, not a syscall in each of the ~20 queries per GPU the monitor makes
// (those would be the stand-in's cost, which real NVML does not have, counted as the monitor's).
// Caller holds g_mutex.
void refresh_scenario() {
    const char* path = std::getenv("CMON_FAKE_NVML_SCENARIO");
    if (path == nullptr || *path == '\0') {
        if (!g_loaded_key.empty()) g_scenario = Scenario{};
        g_loaded_key.clear();
        return;
    }
    ++g_scenario_checks;
    if (!g_watch.maybe_changed(path)) return;
    ++g_scenario_stats;
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

// What a handle points at: a whole GPU (mig == nullptr) or one of its MIG slices.
struct Target {
    const Gpu* gpu = nullptr;
    const Mig* mig = nullptr;
    unsigned gpu_index = 0;
};

Target target_of(void* device) {
    auto* slot = static_cast<DeviceSlot*>(device);
    if (slot >= g_slots && slot < g_slots + kMaxGpus) {
        auto index = static_cast<unsigned>(slot - g_slots);
        if (index >= g_scenario.gpus.size()) return {};
        return {&g_scenario.gpus[index], nullptr, index};
    }
    auto* first = &g_mig_slots[0][0];
    if (slot >= first && slot < first + kMaxGpus * kMaxMigs) {
        auto flat = static_cast<unsigned>(slot - first);
        unsigned index = flat / kMaxMigs;
        unsigned mig = flat % kMaxMigs;
        if (index >= g_scenario.gpus.size() || mig >= g_scenario.gpus[index].migs.size()) return {};
        return {&g_scenario.gpus[index], &g_scenario.gpus[index].migs[mig], index};
    }
    return {};
}

// The injected return code for `function` on the target, else success.
int injected(const Target& target, const char* function) {
    const auto& errors = target.mig != nullptr ? target.mig->errors : target.gpu->errors;
    if (errors.empty()) return kSuccess;  // the usual case: no key string built per call
    auto it = errors.find(function);
    return it == errors.end() ? kSuccess : it->second;
}

// The common prologue of every device query: lock, check init and handle, lost, injected code. No scenario
// refresh here: see refresh_scenario() for where a round of queries picks up a rewritten scenario.
#define FAKE_DEVICE_PROLOGUE(device, function)                          \
    std::lock_guard<std::mutex> lock(g_mutex);                          \
    if (g_init_count == 0) return kUninitialized;                       \
    Target target = target_of(device);                                  \
    if (target.gpu == nullptr) return kInvalidArgument;                 \
    if (target.gpu->lost) return kGpuIsLost;                            \
    if (int rc = injected(target, function); rc != kSuccess) return rc; \
    const Gpu* gpu = target.gpu;                                        \
    static_cast<void>(gpu)

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

// nvmlProcessInfo_v1_t, nvmlProcessInfo_v2_t (what _v2, and _v3 outside 535.43-535.86, fill) and the
// 535.43-535.86 _v3 struct (v2 + usedGpuCcProtectedMemory).
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
struct ProcessInfoV3Cc {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
    unsigned long long usedGpuCcProtectedMemory;
};
static_assert(sizeof(ProcessInfoV1) == 16 && sizeof(ProcessInfoV2) == 24 && sizeof(ProcessInfoV3Cc) == 32);
constexpr unsigned long long kValueNotAvailable = static_cast<unsigned long long>(-1);  // NVML_VALUE_NOT_AVAILABLE
constexpr unsigned int kNoInstance = 0xFFFFFFFFU;

struct Listed {
    const Process* process;
    unsigned gpu_instance_id;
    unsigned compute_instance_id;
};

// The processes a handle lists for one kind: its own; for a MIG parent also every slice's (aggregate).
std::vector<Listed> listed_processes(const Target& target, const std::string& type) {
    std::vector<Listed> out;
    auto add = [&](const std::vector<Process>& processes, unsigned gi, unsigned ci) {
        for (const Process& p : processes)
            if (p.type == type) out.push_back({&p, gi, ci});
    };
    if (target.mig != nullptr) {
        add(target.mig->processes, target.mig->gpu_instance_id, target.mig->compute_instance_id);
        return out;
    }
    add(target.gpu->processes, kNoInstance, kNoInstance);
    if (target.gpu->mig.value_or(false)) {
        for (const Mig& mig : target.gpu->migs) add(mig.processes, mig.gpu_instance_id, mig.compute_instance_id);
    }
    return out;
}

template <class Info>
int running_processes(void* device, unsigned int* count, Info* infos, const char* type, int function_id,
                      const char* function) {
    FAKE_DEVICE_PROLOGUE(device, function);
    if (count == nullptr) return kInvalidArgument;
    std::vector<Listed> matching = listed_processes(target, type);
    const auto needed = static_cast<unsigned>(matching.size());
    // NVML: when *count is too small, answer INSUFFICIENT_SIZE and write the needed count.
    if (force_insufficient(target.gpu_index, function_id) || *count < needed || (needed > 0 && infos == nullptr)) {
        *count = needed;
        return kInsufficientSize;
    }
    for (unsigned i = 0; i < needed; ++i) {
        Info info{};
        info.pid = matching[i].process->pid;
        info.usedGpuMemory = matching[i].process->used_memory.value_or(kValueNotAvailable);
        if constexpr (sizeof(Info) >= sizeof(ProcessInfoV2)) {
            info.gpuInstanceId = matching[i].gpu_instance_id;
            info.computeInstanceId = matching[i].compute_instance_id;
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

// GPM sample buffers (nvmlGpmSample_t points at one): when and of which slice they were taken.
struct GpmSample {
    unsigned long long time_us = 0;
    const void* device = nullptr;
    unsigned gpu_instance_id = 0;
    bool taken = false;
};

}  // namespace

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

// nvmlMemory_t, nvmlMemory_v2_t, nvmlUtilization_t, nvmlProcessUtilizationSample_t, nvmlTemperature_v1_t,
// nvmlGpmMetric_t / nvmlGpmMetricsGet_t as in nvml.h.
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
struct FakeTemperature {
    unsigned int version;
    int sensorType;
    int temperature;
};
struct FakeGpmMetric {
    unsigned int metricId;
    int nvmlReturn;
    double value;
    const char *shortName, *longName, *unit;
};
struct FakeGpmMetricsGet {
    unsigned int version;
    unsigned int numMetrics;
    GpmSample* sample1;
    GpmSample* sample2;
    FakeGpmMetric metrics[1];  // really NVML_GPM_METRIC_MAX; only numMetrics entries are touched
};

// Not NVML: how many times the stand-in looked for a changed scenario, stat()ed its file and set up its
// inotify watch, so a test can tell what an unchanged scenario costs per sample.
FAKE_EXPORT void cmonFakeNvmlScenarioChecks(unsigned long long* checks, unsigned long long* stats,
                                            unsigned long long* watches) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (checks != nullptr) *checks = g_scenario_checks;
    if (stats != nullptr) *stats = g_scenario_stats;
    if (watches != nullptr) *watches = g_watch.watches();
}

FAKE_EXPORT int nvmlInit_v2() {
    static const int kAtFork = pthread_atfork(nullptr, nullptr, [] { g_watch.forget_after_fork(); });
    static_cast<void>(kAtFork);
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
        case kNoPermission:
            return "Insufficient Permissions";
        case kNotFound:
            return "Not Found";
        case kInsufficientSize:
            return "Insufficient Size";
        case 9:
            return "Driver Not Loaded";
        case kGpuIsLost:
            return "GPU is lost";
        case kArgumentVersionMismatch:
            return "Argument version mismatch";
        case 26:
            return "Deprecated";
        case 27:
            return "Not Ready";
        default:
            return "Unknown Error";
    }
}

FAKE_EXPORT int nvmlSystemGetDriverVersion(char* version, unsigned int length) {
    std::lock_guard<std::mutex> lock(g_mutex);
    refresh_scenario();
    if (g_init_count == 0) return kUninitialized;
    return copy_text(g_scenario.driver_version, version, length);
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
    if (g_init_count == 0) return kUninitialized;
    if (device == nullptr || index >= g_scenario.gpus.size()) return kInvalidArgument;
    if (g_scenario.gpus[index].handle_error != kSuccess) return g_scenario.gpus[index].handle_error;
    g_slots[index].index = index;
    *device = &g_slots[index];
    return kSuccess;
}
FAKE_EXPORT int nvmlDeviceGetHandleByIndex(unsigned int index, void** device) {
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

FAKE_EXPORT int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetName");
    return copy_text(target.mig != nullptr ? target.mig->name : gpu->name, name, length);
}

FAKE_EXPORT int nvmlDeviceGetUUID(void* device, char* uuid, unsigned int length) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetUUID");
    return copy_text(target.mig != nullptr ? target.mig->uuid : gpu->uuid, uuid, length);
}

// A MIG slice has no utilization of its own in NVML: NOT_SUPPORTED, as the real driver answers.
FAKE_EXPORT int nvmlDeviceGetUtilizationRates(void* device, FakeUtilization* utilization) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetUtilizationRates");
    if (utilization == nullptr) return kInvalidArgument;
    if (target.mig != nullptr || !gpu->util) return kNotSupported;
    utilization->gpu = *gpu->util;
    utilization->memory = gpu->memory_util.value_or(0);
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetMemoryInfo(void* device, FakeMemory* memory) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMemoryInfo");
    if (memory == nullptr) return kInvalidArgument;
    const auto& total = target.mig != nullptr ? target.mig->memory_total : gpu->memory_total;
    const auto& used = target.mig != nullptr ? target.mig->memory_used : gpu->memory_used;
    if (!total) return kNotSupported;
    // v1: the driver's reservation counts as used.
    const unsigned long long reserved = target.mig != nullptr ? 0 : gpu->memory_reserved;
    memory->total = *total;
    memory->used = std::min(used.value_or(0) + reserved, *total);
    memory->free = memory->total - memory->used;
    return kSuccess;
}

#if !FAKE_R450
FAKE_EXPORT int nvmlDeviceGetMemoryInfo_v2(void* device, FakeMemoryV2* memory) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMemoryInfo_v2");
    if (memory == nullptr) return kInvalidArgument;
    // nvmlMemory_v2 = NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | 2 << 24.
    if (memory->version != (static_cast<unsigned>(sizeof(FakeMemoryV2)) | (2U << 24U))) return kArgumentVersionMismatch;
    const auto& total = target.mig != nullptr ? target.mig->memory_total : gpu->memory_total;
    const auto& used = target.mig != nullptr ? target.mig->memory_used : gpu->memory_used;
    if (!total) return kNotSupported;
    const unsigned long long reserved = target.mig != nullptr ? 0 : std::min(gpu->memory_reserved, *total);
    memory->total = *total;
    memory->reserved = reserved;
    memory->used = std::min(used.value_or(0), *total - reserved);
    memory->free = memory->total - memory->reserved - memory->used;
    return kSuccess;
}
#endif

FAKE_EXPORT int nvmlDeviceGetTemperature(void* device, int sensor, unsigned int* temperature) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetTemperature");
    if (sensor != 0) return kInvalidArgument;  // NVML_TEMPERATURE_GPU is the only sensor
    return answer(gpu->temperature, temperature);
}

#if FAKE_MODERN
FAKE_EXPORT int nvmlDeviceGetTemperatureV(void* device, FakeTemperature* reading) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetTemperatureV");
    if (reading == nullptr) return kInvalidArgument;
    // nvmlTemperature_v1 = NVML_STRUCT_VERSION(Temperature, 1).
    if (reading->version != (static_cast<unsigned>(sizeof(FakeTemperature)) | (1U << 24U)))
        return kArgumentVersionMismatch;
    if (reading->sensorType != 0) return kInvalidArgument;
    if (!gpu->temperature) return kNotSupported;
    reading->temperature = static_cast<int>(*gpu->temperature);
    return kSuccess;
}
#endif

FAKE_EXPORT int nvmlDeviceGetPowerUsage(void* device, unsigned int* power) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetPowerUsage");
    return answer(gpu->power_mw, power);
}

FAKE_EXPORT int nvmlDeviceGetEnforcedPowerLimit(void* device, unsigned int* limit) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetEnforcedPowerLimit");
    return answer(gpu->power_limit_mw, limit);
}

FAKE_EXPORT int nvmlDeviceGetFanSpeed(void* device, unsigned int* speed) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetFanSpeed");
    return answer(gpu->fan, speed);
}

// nvmlClockType_t: NVML_CLOCK_GRAPHICS 0, NVML_CLOCK_SM 1, NVML_CLOCK_MEM 2, NVML_CLOCK_VIDEO 3.
FAKE_EXPORT int nvmlDeviceGetClockInfo(void* device, int type, unsigned int* clock) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetClockInfo");
    if (type == 1) return answer(gpu->sm_clock, clock);
    if (type == 2) return answer(gpu->mem_clock, clock);
    return kNotSupported;
}

FAKE_EXPORT int nvmlDeviceGetMaxClockInfo(void* device, int type, unsigned int* clock) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMaxClockInfo");
    if (type == 1) return answer(gpu->sm_clock_max, clock);
    if (type == 2) return answer(gpu->mem_clock_max, clock);
    return kNotSupported;
}

#if !FAKE_R450
FAKE_EXPORT int nvmlDeviceGetMigMode(void* device, unsigned int* current, unsigned int* pending) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMigMode");
    if (current == nullptr || pending == nullptr) return kInvalidArgument;
    if (!gpu->mig) return kNotSupported;
    *current = *gpu->mig ? 1U : 0U;  // NVML_DEVICE_MIG_ENABLE / _DISABLE
    *pending = *current;
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetMaxMigDeviceCount(void* device, unsigned int* count) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMaxMigDeviceCount");
    if (count == nullptr) return kInvalidArgument;
    if (!gpu->mig) return kNotSupported;
    *count = kMaxMigs - 1;  // A100/H100: up to 7 slices
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetMigDeviceHandleByIndex(void* device, unsigned int index, void** mig) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetMigDeviceHandleByIndex");
    if (mig == nullptr || target.mig != nullptr) return kInvalidArgument;
    if (!gpu->mig.value_or(false)) return kInvalidArgument;
    if (index >= gpu->migs.size()) return kNotFound;  // an empty slot
    g_mig_slots[target.gpu_index][index].index = index;
    *mig = &g_mig_slots[target.gpu_index][index];
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetGpuInstanceId(void* device, unsigned int* id) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetGpuInstanceId");
    if (id == nullptr || target.mig == nullptr) return kInvalidArgument;
    *id = target.mig->gpu_instance_id;
    return kSuccess;
}

FAKE_EXPORT int nvmlDeviceGetComputeInstanceId(void* device, unsigned int* id) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetComputeInstanceId");
    if (id == nullptr || target.mig == nullptr) return kInvalidArgument;
    *id = target.mig->compute_instance_id;
    return kSuccess;
}
#endif

// The running-process lists, per profile (see the top of this file).
#if FAKE_MODERN || FAKE_R535_54
#if FAKE_R535_54
using InfoV3 = ProcessInfoV3Cc;  // 535.43.02-535.86: 32-byte entries from _v3
#else
using InfoV3 = ProcessInfoV2;
#endif
FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses_v3(void* device, unsigned int* count, InfoV3* infos) {
    return running_processes(device, count, infos, "compute", 1, "nvmlDeviceGetComputeRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v3(void* device, unsigned int* count, InfoV3* infos) {
    return running_processes(device, count, infos, "graphics", 2, "nvmlDeviceGetGraphicsRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetMPSComputeRunningProcesses_v3(void* device, unsigned int* count, InfoV3* infos) {
    return running_processes(device, count, infos, "mps", 4, "nvmlDeviceGetMPSComputeRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetConfComputeMemSizeInfo(void*, void*) { return kNotSupported; }
#endif
#if FAKE_MODERN
// Only its presence matters (nvitop's way to tell the 535.104+ layout when the version cannot be read).
FAKE_EXPORT int nvmlDeviceGetRunningProcessDetailList(void*, void*) { return kNotSupported; }
#endif
#if FAKE_R535_98
FAKE_EXPORT int nvmlDeviceGetConfComputeMemSizeInfo(void*, void*) { return kNotSupported; }
#endif
#if !FAKE_R450
FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses_v2(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, "compute", 1, "nvmlDeviceGetComputeRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses_v2(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, "graphics", 2, "nvmlDeviceGetGraphicsRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetMPSComputeRunningProcesses_v2(void* device, unsigned int* count, ProcessInfoV2* infos) {
    return running_processes(device, count, infos, "mps", 4, "nvmlDeviceGetMPSComputeRunningProcesses");
}
#endif
FAKE_EXPORT int nvmlDeviceGetComputeRunningProcesses(void* device, unsigned int* count, ProcessInfoV1* infos) {
    return running_processes(device, count, infos, "compute", 1, "nvmlDeviceGetComputeRunningProcesses");
}
FAKE_EXPORT int nvmlDeviceGetGraphicsRunningProcesses(void* device, unsigned int* count, ProcessInfoV1* infos) {
    return running_processes(device, count, infos, "graphics", 2, "nvmlDeviceGetGraphicsRunningProcesses");
}

// Samples newer than last_seen, NOT_FOUND when there are none. A sample without a driver timestamp is stamped
// "now" (so every call after a real pause has fresh ones); explicit timestamps let tests replay old ones.
FAKE_EXPORT int nvmlDeviceGetProcessUtilization(void* device, FakeProcessSample* samples, unsigned int* count,
                                                unsigned long long last_seen) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlDeviceGetProcessUtilization");
    if (count == nullptr) return kInvalidArgument;
    if (target.mig != nullptr || gpu->mig.value_or(false)) return kNotSupported;  // none per MIG slice
    const unsigned long long now = std::max(now_microseconds(), last_seen + 1);
    std::vector<FakeProcessSample> fresh;
    std::set<unsigned> stamped_now;
    for (const Process& p : gpu->processes) {
        for (const Sample& sample : p.samples) {
            if (sample.t == 0 && !stamped_now.insert(p.pid).second) continue;
            const unsigned long long t = sample.t == 0 ? now : sample.t;
            if (t > last_seen) fresh.push_back(FakeProcessSample{p.pid, t, sample.sm, 0, 0, 0});
        }
    }
    if (fresh.empty()) return kNotFound;
    const auto needed = static_cast<unsigned>(fresh.size());
    if (force_insufficient(target.gpu_index, 3) || samples == nullptr || *count < needed) {
        *count = needed;
        return kInsufficientSize;
    }
    std::copy(fresh.begin(), fresh.end(), samples);
    *count = needed;
    return kSuccess;
}

#if FAKE_MODERN || FAKE_R535_54 || FAKE_R535_98
FAKE_EXPORT int nvmlGpmSampleAlloc(GpmSample** sample) {
    if (sample == nullptr) return kInvalidArgument;
    *sample = new GpmSample{};
    return kSuccess;
}

FAKE_EXPORT int nvmlGpmSampleFree(GpmSample* sample) {
    delete sample;
    return kSuccess;
}

FAKE_EXPORT int nvmlGpmMigSampleGet(void* device, unsigned int gpu_instance_id, GpmSample* sample) {
    FAKE_DEVICE_PROLOGUE(device, "nvmlGpmMigSampleGet");
    if (sample == nullptr || target.mig != nullptr) return kInvalidArgument;
    auto it = std::find_if(gpu->migs.begin(), gpu->migs.end(),
                           [&](const Mig& m) { return m.gpu_instance_id == gpu_instance_id; });
    if (it == gpu->migs.end()) return kNotFound;
    // GPM is a property of the board (Hopper+): a scenario without any gpm_sm_util is a pre-Hopper one.
    if (std::none_of(gpu->migs.begin(), gpu->migs.end(), [](const Mig& m) { return m.gpm_sm_util.has_value(); }))
        return kNotSupported;
    *sample = GpmSample{now_microseconds(), device, gpu_instance_id, true};
    return kSuccess;
}

// NVML_GPM_METRIC_SM_UTIL (2): the slice's gpm_sm_util, only for two samples of one slice >= 100 ms apart.
FAKE_EXPORT int nvmlGpmMetricsGet(FakeGpmMetricsGet* request) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (request == nullptr || request->version != 1 || request->sample1 == nullptr || request->sample2 == nullptr)
        return kInvalidArgument;
    const GpmSample& a = *request->sample1;
    const GpmSample& b = *request->sample2;
    if (!a.taken || !b.taken || a.device != b.device || a.gpu_instance_id != b.gpu_instance_id) return kInvalidArgument;
    Target target = target_of(const_cast<void*>(a.device));
    if (target.gpu == nullptr) return kInvalidArgument;
    const Mig* mig = nullptr;
    for (const Mig& m : target.gpu->migs)
        if (m.gpu_instance_id == a.gpu_instance_id) mig = &m;
    for (unsigned i = 0; i < request->numMetrics; ++i) {
        FakeGpmMetric& metric = request->metrics[i];
        const bool spaced = b.time_us >= a.time_us + 100000 || a.time_us >= b.time_us + 100000;
        if (metric.metricId != 2 || mig == nullptr || !mig->gpm_sm_util || !spaced) {
            metric.nvmlReturn = kInvalidArgument;
            continue;
        }
        metric.nvmlReturn = kSuccess;
        metric.value = *mig->gpm_sm_util;
    }
    return kSuccess;
}
#endif
