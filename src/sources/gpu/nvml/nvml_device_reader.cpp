// One NVIDIA device per tick; the return-code rules are in the header.
#include "sources/gpu/nvml/nvml_device_reader.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

namespace cmon::sources {

namespace {

constexpr int kMaxSizeRetries = 4;
constexpr unsigned kIdleDeviceUtilization = 1;  // device utilization at or below this proves nobody computed
// Used memory above this with an empty process list: processes are there, we cannot see them. A CUDA
// context alone holds a few hundred MiB; an idle board with memory v2 reports a few MiB at most.
constexpr std::uint64_t kHiddenProcessesMinBytes = std::uint64_t{64} << 20;

// Headroom so a process starting between two calls does not cost another round trip.
unsigned grown(unsigned reported) { return reported + reported / 2 + 4; }

}  // namespace

std::vector<NvmlListedProcess> decode_process_entries(const std::byte* buffer, unsigned count, std::size_t entry_size,
                                                      unsigned& rejected) {
    std::vector<NvmlListedProcess> out;
    out.reserve(count);
    rejected = 0;
    for (unsigned i = 0; i < count; ++i) {
        const std::byte* entry = buffer + std::size_t{i} * entry_size;
        NvmlListedProcess process;
        // pid at 0 and usedGpuMemory at 8 in every layout; the instance ids at 16 and 20 from v2 on.
        std::memcpy(&process.pid, entry + offsetof(NvmlProcessInfoV2, pid), sizeof(process.pid));
        std::memcpy(&process.used_memory, entry + offsetof(NvmlProcessInfoV2, usedGpuMemory),
                    sizeof(process.used_memory));
        if (entry_size >= sizeof(NvmlProcessInfoV2)) {
            unsigned gi = 0;
            unsigned ci = 0;
            std::memcpy(&gi, entry + offsetof(NvmlProcessInfoV2, gpuInstanceId), sizeof(gi));
            std::memcpy(&ci, entry + offsetof(NvmlProcessInfoV2, computeInstanceId), sizeof(ci));
            if (gi != kNvmlNoInstance) process.gpu_instance_id = gi;
            if (ci != kNvmlNoInstance) process.compute_instance_id = ci;
        }
        if (process.pid == 0 || process.pid == 0xFFFFFFFFU) {
            ++rejected;
            continue;
        }
        out.push_back(process);
    }
    return out;
}

std::string mig_profile_from_name(const std::string& name) {
    // nvmlDeviceGetName on a MIG handle: "<parent name> MIG <profile>", e.g. "NVIDIA H100 80GB HBM3 MIG 1g.10gb".
    const std::string marker = "MIG ";
    auto at = name.rfind(marker);
    if (at == std::string::npos) return {};
    std::string profile = name.substr(at + marker.size());
    while (!profile.empty() && profile.back() == ' ') profile.pop_back();
    return profile;
}

bool NvmlDeviceReader::ok(NvmlReturn rc, const char* field, bool optional_feature) {
    if (rc == kNvmlSuccess) return true;
    if (rc == kNvmlErrorGpuIsLost) {
        out_.lost = true;
        return false;
    }
    if (rc == kNvmlErrorFunctionNotFound) return false;
    if (rc == kNvmlErrorNotSupported && optional_feature) return false;
    out_.degraded_fields.push_back(std::string(field) + ": " + nvml_return_name(rc));
    return false;
}

std::vector<model::GpuProcess> NvmlDeviceReader::read() {
    fill_identity();
    if (!out_.lost) fill_fields();
    std::map<unsigned, model::GpuProcess> by_pid;
    bool lists_read = false;
    if (!out_.lost) {
        const bool mig = out_.mig_enabled.value_or(false);
        lists_read = collect_processes(device_, "processes", by_pid, nullptr);
        if (mig) {
            bool all_mig_lists_read = true;
            read_mig(by_pid, all_mig_lists_read);
            lists_read = lists_read || all_mig_lists_read;
        } else if (!by_pid.empty()) {
            attach_sm_percent(by_pid);
        }
    }
    if (!out_.lost) derive_memory_views(by_pid, lists_read);
    out_.degraded = !out_.lost && !out_.degraded_fields.empty();
    std::vector<model::GpuProcess> processes;
    if (out_.lost) return processes;
    processes.reserve(by_pid.size());
    for (auto& entry : by_pid) processes.push_back(std::move(entry.second));
    return processes;
}

void NvmlDeviceReader::fill_identity() {
    auto text = [&](NvmlReturn (*fn)(NvmlDevice, char*, unsigned int), unsigned size, const char* field) {
        if (fn == nullptr || out_.lost) return std::string();
        // NVML fixes both maxima: a stack buffer, not an allocation per call.
        std::array<char, std::max(kNvmlDeviceNameBufferSize, kNvmlDeviceUuidBufferSize)> buffer{};
        size = std::min<unsigned>(size, buffer.size());
        NvmlReturn rc = fn(device_, buffer.data(), size);
        // UNKNOWN on the queries every healthy device answers: the device as a whole is broken.
        if (rc == kNvmlErrorUnknown) out_.lost = true;
        if (!ok(rc, field)) return std::string();
        buffer[size - 1] = '\0';
        return std::string(buffer.data());
    };
    out_.name = text(fn_.device_get_name, kNvmlDeviceNameBufferSize, "name");
    out_.uuid = text(fn_.device_get_uuid, kNvmlDeviceUuidBufferSize, "uuid");
}

void NvmlDeviceReader::fill_fields() {
    if (fn_.device_get_utilization_rates != nullptr) {
        NvmlUtilization utilization{};
        if (ok(fn_.device_get_utilization_rates(device_, &utilization), "utilization")) {
            out_.utilization_percent = utilization.gpu;
            out_.memory_utilization_percent = utilization.memory;
        }
    }
    Memory memory = read_memory(device_, "memory");
    out_.memory_total_bytes = memory.total;
    out_.memory_used_bytes = memory.used;
    out_.memory_reserved_bytes = memory.reserved;
    out_.memory_free_bytes = memory.free;
    fill_temperature();
    auto value = [&](NvmlFunctions::ValueFn fn, const char* field, bool optional_feature) -> std::optional<unsigned> {
        unsigned int out = 0;
        if (fn == nullptr || out_.lost || !ok(fn(device_, &out), field, optional_feature)) return std::nullopt;
        return out;
    };
    out_.power_draw_milliwatts = value(fn_.device_get_power_usage, "power", false);
    out_.power_limit_milliwatts = value(fn_.device_get_enforced_power_limit, "power_limit", false);
    // Passively cooled boards (most data-centre GPUs) have no fan: not a degradation.
    out_.fan_percent = value(fn_.device_get_fan_speed, "fan", true);
    fill_clocks();
    if (fn_.device_get_mig_mode != nullptr && !out_.lost) {
        unsigned int current = 0;
        unsigned int pending = 0;
        if (ok(fn_.device_get_mig_mode(device_, &current, &pending), "mig_mode", true))
            out_.mig_enabled = current == kNvmlDeviceMigEnable;
    }
}

NvmlDeviceReader::Memory NvmlDeviceReader::read_memory(NvmlDevice device, const std::string& field) {
    Memory memory;
    if (out_.lost) return memory;
    // nvmlDeviceGetMemoryInfo_v2: `used` without the driver's reservation, as nvidia-smi shows since R510.
    // ARGUMENT_VERSION_MISMATCH (a driver that does not know our struct version) or FUNCTION_NOT_FOUND (some
    // R510 builds export it without implementing it): the v1 call.
    NvmlReturn v2_rc = kNvmlErrorFunctionNotFound;
    if (fn_.device_get_memory_info_v2 != nullptr) {
        NvmlMemoryV2 v2{};
        v2.version = kNvmlMemoryV2Version;
        v2_rc = fn_.device_get_memory_info_v2(device, &v2);
        if (v2_rc == kNvmlSuccess) {
            memory.total = v2.total;
            memory.used = v2.used;
            memory.reserved = v2.reserved;
            memory.free = v2.free;
            return memory;
        }
        if (v2_rc == kNvmlErrorGpuIsLost) {
            out_.lost = true;
            return memory;
        }
    }
    if (fn_.device_get_memory_info == nullptr) {
        ok(v2_rc, field.c_str());
        return memory;
    }
    NvmlMemory v1{};
    NvmlReturn rc = fn_.device_get_memory_info(device, &v1);
    if (rc == kNvmlSuccess) {
        memory.total = v1.total;
        memory.used = v1.used;
        memory.free = v1.free;  // v1's used includes the reservation, so total - used is this free
        const bool expected_fallback = v2_rc == kNvmlErrorArgumentVersionMismatch ||
                                       v2_rc == kNvmlErrorFunctionNotFound || v2_rc == kNvmlErrorNotSupported;
        if (!expected_fallback) ok(v2_rc, (field + " (v2)").c_str());
        return memory;
    }
    ok(rc, field.c_str());
    return memory;
}

void NvmlDeviceReader::fill_temperature() {
    if (out_.lost) return;
    NvmlReturn plain_rc = kNvmlErrorFunctionNotFound;
    if (fn_.device_get_temperature != nullptr) {
        unsigned int temperature = 0;
        plain_rc = fn_.device_get_temperature(device_, kNvmlTemperatureGpu, &temperature);
        if (plain_rc == kNvmlSuccess) {
            out_.temperature_celsius = temperature;
            return;
        }
    }
    // Newer drivers deprecate the plain call in favour of nvmlDeviceGetTemperatureV.
    const bool try_versioned = plain_rc == kNvmlErrorDeprecated || plain_rc == kNvmlErrorFunctionNotFound ||
                               plain_rc == kNvmlErrorNotSupported;
    if (try_versioned && fn_.device_get_temperature_v != nullptr) {
        NvmlTemperatureV1 reading{};
        reading.version = kNvmlTemperatureV1Version;
        reading.sensorType = kNvmlTemperatureGpu;
        NvmlReturn rc = fn_.device_get_temperature_v(device_, &reading);
        if (rc == kNvmlSuccess && reading.temperature >= 0) {
            out_.temperature_celsius = static_cast<unsigned>(reading.temperature);
            return;
        }
        if (rc != kNvmlErrorFunctionNotFound) {
            ok(rc, "temperature");
            return;
        }
    }
    ok(plain_rc, "temperature");
}

void NvmlDeviceReader::fill_clocks() {
    auto clock = [&](NvmlFunctions::ClockFn fn, int type, const char* field) -> std::optional<unsigned> {
        unsigned int mhz = 0;
        if (fn == nullptr || out_.lost || !ok(fn(device_, type, &mhz), field)) return std::nullopt;
        return mhz;
    };
    out_.sm_clock_mhz = clock(fn_.device_get_clock_info, kNvmlClockSm, "sm_clock");
    out_.memory_clock_mhz = clock(fn_.device_get_clock_info, kNvmlClockMem, "memory_clock");
    if (!state_.sm_clock_max_mhz)
        state_.sm_clock_max_mhz = clock(fn_.device_get_max_clock_info, kNvmlClockSm, "sm_clock_max");
    if (!state_.memory_clock_max_mhz)
        state_.memory_clock_max_mhz = clock(fn_.device_get_max_clock_info, kNvmlClockMem, "memory_clock_max");
    out_.sm_clock_max_mhz = state_.sm_clock_max_mhz;
    out_.memory_clock_max_mhz = state_.memory_clock_max_mhz;
}

NvmlDeviceReader::ProcessList NvmlDeviceReader::list(NvmlDevice device, NvmlFunctions::ProcessesFn fn,
                                                     const NvmlProcessLayout& layout, const std::string& prefix,
                                                     const char* suffix, bool optional_feature) {
    ProcessList result;
    auto field = [&] { return prefix + suffix; };
    if (fn == nullptr || out_.lost) return result;
    NvmlReturn rc = kNvmlErrorInsufficientSize;
    for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
        state_.process_buffer.resize(std::size_t{state_.process_capacity} * kNvmlLargestProcessInfoSize);
        unsigned int count = state_.process_capacity;
        rc = fn(device, &count, state_.process_buffer.data());
        if (rc == kNvmlErrorInsufficientSize) {
            state_.process_capacity = std::max(grown(count), state_.process_capacity + 1);
            continue;
        }
        if (rc != kNvmlSuccess) {
            ok(rc, field().c_str(), optional_feature);
            return result;
        }
        count = std::min(count, state_.process_capacity);
        unsigned rejected = 0;
        result.entries = decode_process_entries(state_.process_buffer.data(), count, layout.entry_size, rejected);
        result.read = true;
        if (rejected > 0) {
            out_.degraded_fields.push_back(field() + ": " + std::to_string(rejected) +
                                           " entries with pid 0 or 4294967295 ignored (" + layout.describe() + ")");
        }
        return result;
    }
    ok(rc, field().c_str());
    return result;
}

bool NvmlDeviceReader::collect_processes(NvmlDevice device, const std::string& prefix,
                                         std::map<unsigned, model::GpuProcess>& by_pid, const model::MigDevice* mig) {
    struct Kind {
        NvmlFunctions::ProcessesFn fn;
        const NvmlProcessLayout* layout;
        const char* type;
        const char* suffix;
        bool mps;
    };
    const Kind kinds[] = {
        {fn_.device_get_compute_running_processes, &fn_.compute_processes_layout, "compute", "", false},
        {fn_.device_get_graphics_running_processes, &fn_.graphics_processes_layout, "graphics", " (graphics)", false},
        {fn_.device_get_mps_compute_running_processes, &fn_.mps_processes_layout, "compute", " (mps)", true},
    };
    bool compute_read = false;
    for (const Kind& kind : kinds) {
        // Graphics and MPS lists are features a board or a driver may not have.
        const bool optional_feature = kind.suffix[0] != '\0';
        ProcessList listed = list(device, kind.fn, *kind.layout, prefix, kind.suffix, optional_feature);
        if (&kind == &kinds[0]) compute_read = listed.read;
        for (const NvmlListedProcess& entry : listed.entries) {
            std::optional<std::uint64_t> memory;
            if (entry.used_memory != kNvmlValueNotAvailable) memory = entry.used_memory;
            auto [it, inserted] = by_pid.try_emplace(entry.pid);
            model::GpuProcess& process = it->second;
            if (inserted) {
                process.pid = entry.pid;
                process.gpu_index = out_.index;
                process.type = kind.type;
                process.memory_used_bytes = memory;
            } else {
                // The same context listed twice (nvidia-smi's "C+G"): one memory figure, the larger one.
                if (process.type != kind.type) process.type = "compute+graphics";
                if (memory && (!process.memory_used_bytes || *memory > *process.memory_used_bytes))
                    process.memory_used_bytes = memory;
            }
            if (kind.mps) process.mps = true;
            if (entry.gpu_instance_id) process.gpu_instance_id = entry.gpu_instance_id;
            if (entry.compute_instance_id) process.compute_instance_id = entry.compute_instance_id;
            if (mig != nullptr) {
                if (!process.gpu_instance_id) process.gpu_instance_id = mig->gpu_instance_id;
                if (!process.compute_instance_id) process.compute_instance_id = mig->compute_instance_id;
            }
        }
    }
    return compute_read;
}

void NvmlDeviceReader::attach_sm_percent(std::map<unsigned, model::GpuProcess>& by_pid) {
    if (fn_.device_get_process_utilization == nullptr || out_.lost) return;
    std::vector<unsigned> pids;
    for (const auto& entry : by_pid) pids.push_back(entry.first);
    const bool device_idle = out_.utilization_percent && *out_.utilization_percent <= kIdleDeviceUtilization;
    NvmlReturn rc = kNvmlErrorInsufficientSize;
    unsigned int count = 0;
    for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
        state_.sample_buffer.resize(state_.sample_capacity);
        count = state_.sample_capacity;
        rc = fn_.device_get_process_utilization(device_, state_.sample_buffer.data(), &count,
                                                state_.sm.last_seen_timestamp_us());
        if (rc != kNvmlErrorInsufficientSize) break;
        state_.sample_capacity = std::max(grown(count), state_.sample_capacity + 1);
    }
    if (rc == kNvmlErrorGpuIsLost) {
        out_.lost = true;
        return;
    }
    if (rc != kNvmlSuccess) count = 0;
    count = std::min(count, state_.sample_capacity);
    std::vector<std::string> notes;
    auto readings = state_.sm.update(rc, std::span(state_.sample_buffer.data(), count), pids, device_idle, notes);
    for (std::string& note : notes) out_.degraded_fields.push_back(std::move(note));
    for (auto& [pid, process] : by_pid) {
        const SmReading& reading = readings[pid];
        process.sm_percent = reading.percent;
        process.sm_percent_fresh = reading.fresh;
    }
}

void NvmlDeviceReader::read_mig(std::map<unsigned, model::GpuProcess>& by_pid, bool& all_lists_read) {
    all_lists_read = false;
    if (fn_.device_get_max_mig_device_count == nullptr || fn_.device_get_mig_device_handle_by_index == nullptr) return;
    unsigned int max_count = 0;
    if (!ok(fn_.device_get_max_mig_device_count(device_, &max_count), "mig_device_count")) return;
    all_lists_read = true;
    const auto now = std::chrono::steady_clock::now();
    for (unsigned index = 0; index < max_count && !out_.lost; ++index) {
        NvmlDevice mig_handle = nullptr;
        NvmlReturn rc = fn_.device_get_mig_device_handle_by_index(device_, index, &mig_handle);
        if (rc == kNvmlErrorNotFound || rc == kNvmlErrorInvalidArgument) continue;  // an empty slot
        const std::string field = "mig " + std::to_string(index);
        if (!ok(rc, field.c_str())) continue;
        model::MigDevice mig;
        mig.index = index;
        std::vector<char> buffer(kNvmlDeviceNameBufferSize, '\0');
        if (fn_.device_get_uuid != nullptr &&
            ok(fn_.device_get_uuid(mig_handle, buffer.data(), kNvmlDeviceUuidBufferSize), (field + " uuid").c_str()))
            mig.uuid = std::string(buffer.data(), strnlen(buffer.data(), buffer.size()));
        std::fill(buffer.begin(), buffer.end(), '\0');
        if (fn_.device_get_name != nullptr &&
            ok(fn_.device_get_name(mig_handle, buffer.data(), kNvmlDeviceNameBufferSize), (field + " name").c_str()))
            mig.profile = mig_profile_from_name(std::string(buffer.data(), strnlen(buffer.data(), buffer.size())));
        unsigned int id = 0;
        if (fn_.device_get_gpu_instance_id != nullptr &&
            ok(fn_.device_get_gpu_instance_id(mig_handle, &id), (field + " gpu_instance_id").c_str()))
            mig.gpu_instance_id = id;
        if (fn_.device_get_compute_instance_id != nullptr &&
            ok(fn_.device_get_compute_instance_id(mig_handle, &id), (field + " compute_instance_id").c_str()))
            mig.compute_instance_id = id;
        Memory memory = read_memory(mig_handle, field + " memory");
        mig.memory_used_bytes = memory.used;
        mig.memory_total_bytes = memory.total;
        // NVML has no utilization for a MIG slice; GPM (Hopper+) measures its SMs.
        mig.utilization_percent = state_.gpm.sm_utilization(device_, mig.gpu_instance_id, now);
        if (!collect_processes(mig_handle, field + " processes", by_pid, &mig)) all_lists_read = false;
        out_.mig_devices.push_back(std::move(mig));
    }
}

void NvmlDeviceReader::derive_memory_views(const std::map<unsigned, model::GpuProcess>& by_pid, bool lists_read) {
    // Only with memory v2: v1's `used` includes the driver's own reservation, which no process holds.
    if (!lists_read || !out_.memory_used_bytes || !out_.memory_reserved_bytes) return;
    std::uint64_t held = 0;
    for (const auto& [pid, process] : by_pid) {
        if (!process.memory_used_bytes) return;  // one unknown figure: the difference would be a guess
        held += *process.memory_used_bytes;
    }
    const std::uint64_t used = *out_.memory_used_bytes;
    out_.unattributed_memory_bytes = used > held ? used - held : 0;
    out_.processes_hidden = by_pid.empty() && used >= kHiddenProcessesMinBytes;
}

}  // namespace cmon::sources
