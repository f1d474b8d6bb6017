// Turns NVML calls into model::GpuDevice / model::GpuProcess. Return-code semantics follow the NVML API
// reference: NOT_SUPPORTED / NO_PERMISSION / FUNCTION_NOT_FOUND mean "this field is not available here";
// INSUFFICIENT_SIZE means "retry with the count written back"; GPU_IS_LOST and anything unexpected mean the
// device can no longer be trusted this tick.
#include "sources/gpu/nvml/nvml_backend.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "util/error.hpp"

namespace cmon::sources {

namespace {

constexpr int kMaxSizeRetries = 4;

bool is_unavailable(NvmlReturn rc) {
    return rc == kNvmlErrorNotSupported || rc == kNvmlErrorNoPermission || rc == kNvmlErrorFunctionNotFound ||
           rc == kNvmlErrorNotFound || rc == kNvmlErrorInvalidArgument;
}

// Headroom so a process starting between two calls does not cost another round trip.
unsigned grown(unsigned reported) { return reported + reported / 2 + 4; }

struct ListedProcess {
    unsigned pid = 0;
    unsigned long long used_memory = 0;
};

}  // namespace

// Reads one device. Once a call reports the device broken, every later query is skipped and lost() is true.
class NvmlBackend::DeviceReader {
public:
    DeviceReader(const NvmlFunctions& fn, NvmlDevice device, DeviceState& state)
        : fn_(fn), device_(device), state_(state) {}

    bool lost() const { return lost_; }

    // true on success; false (and maybe lost_) otherwise.
    bool check(NvmlReturn rc) {
        if (rc == kNvmlSuccess) return true;
        if (!is_unavailable(rc)) lost_ = true;
        return false;
    }

    template <class Fn, class... Args>
    bool call(Fn* fn, Args... args) {
        if (lost_ || fn == nullptr) return false;
        return check(fn(device_, args...));
    }

    std::string text(NvmlReturn (*fn)(NvmlDevice, char*, unsigned int), unsigned size) {
        std::vector<char> buffer(size, '\0');
        if (!call(fn, buffer.data(), size)) return {};
        buffer.back() = '\0';
        return buffer.data();
    }

    std::optional<unsigned> value(NvmlReturn (*fn)(NvmlDevice, unsigned int*)) {
        unsigned int out = 0;
        if (!call(fn, &out)) return std::nullopt;
        return out;
    }

    void fill(model::GpuDevice& device) {
        device.name = text(fn_.device_get_name, kNvmlDeviceNameBufferSize);
        device.uuid = text(fn_.device_get_uuid, kNvmlDeviceUuidBufferSize);
        NvmlUtilization utilization{};
        if (call(fn_.device_get_utilization_rates, &utilization)) {
            device.utilization_percent = utilization.gpu;
            device.memory_utilization_percent = utilization.memory;
        }
        fill_memory(device);
        unsigned int temperature = 0;
        if (call(fn_.device_get_temperature, kNvmlTemperatureGpu, &temperature))
            device.temperature_celsius = temperature;
        device.power_draw_milliwatts = value(fn_.device_get_power_usage);
        device.power_limit_milliwatts = value(fn_.device_get_enforced_power_limit);
        device.fan_percent = value(fn_.device_get_fan_speed);
        unsigned int current = 0;
        unsigned int pending = 0;
        if (call(fn_.device_get_mig_mode, &current, &pending)) device.mig_enabled = current == kNvmlDeviceMigEnable;
    }

    // Compute and graphics lists merged by pid, with SM % attached.
    std::vector<model::GpuProcess> processes(unsigned gpu_index) {
        std::map<unsigned, model::GpuProcess> by_pid;
        merge(by_pid, fn_.device_get_compute_running_processes, fn_.compute_processes_layout, "compute", gpu_index);
        merge(by_pid, fn_.device_get_graphics_running_processes, fn_.graphics_processes_layout, "graphics", gpu_index);
        if (!by_pid.empty()) attach_sm_percent(by_pid);
        std::vector<model::GpuProcess> out;
        out.reserve(by_pid.size());
        for (auto& entry : by_pid) out.push_back(std::move(entry.second));
        return out;
    }

private:
    void fill_memory(model::GpuDevice& device) {
        // nvmlDeviceGetMemoryInfo_v2 reports `used` without the driver's reserved memory, as nvidia-smi does
        // since R510; some R510 builds export it but answer FUNCTION_NOT_FOUND, so v1 is the fallback.
        NvmlMemoryV2 memory_v2{};
        memory_v2.version = kNvmlMemoryV2Version;
        if (call(fn_.device_get_memory_info_v2, &memory_v2)) {
            device.memory_total_bytes = memory_v2.total;
            device.memory_used_bytes = memory_v2.used;
            return;
        }
        NvmlMemory memory{};
        if (call(fn_.device_get_memory_info, &memory)) {
            device.memory_total_bytes = memory.total;
            device.memory_used_bytes = memory.used;
        }
    }

    // One process list call, growing the buffer on INSUFFICIENT_SIZE. Empty on any failure.
    std::vector<ListedProcess> list(NvmlFunctions::ProcessesFn fn, NvmlProcessInfoLayout layout) {
        if (fn == nullptr || lost_) return {};
        const std::size_t stride =
            layout == NvmlProcessInfoLayout::kV1 ? sizeof(NvmlProcessInfoV1) : sizeof(NvmlProcessInfoV2);
        for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
            state_.process_buffer.resize(std::size_t{state_.process_capacity} * kNvmlLargestProcessInfoSize);
            unsigned int count = state_.process_capacity;
            NvmlReturn rc = fn(device_, &count, state_.process_buffer.data());
            if (rc == kNvmlErrorInsufficientSize) {
                state_.process_capacity = std::max(grown(count), state_.process_capacity + 1);
                continue;
            }
            if (!check(rc)) return {};
            count = std::min(count, state_.process_capacity);
            std::vector<ListedProcess> out(count);
            for (unsigned i = 0; i < count; ++i) {
                const std::byte* entry = state_.process_buffer.data() + i * stride;
                // pid at offset 0 and usedGpuMemory at offset 8 in both layouts (see nvml_types.hpp).
                std::memcpy(&out[i].pid, entry + offsetof(NvmlProcessInfoV1, pid), sizeof(out[i].pid));
                std::memcpy(&out[i].used_memory, entry + offsetof(NvmlProcessInfoV1, usedGpuMemory),
                            sizeof(out[i].used_memory));
            }
            return out;
        }
        return {};
    }

    void merge(std::map<unsigned, model::GpuProcess>& by_pid, NvmlFunctions::ProcessesFn fn,
               NvmlProcessInfoLayout layout, const char* type, unsigned gpu_index) {
        for (const ListedProcess& listed : list(fn, layout)) {
            std::optional<std::uint64_t> memory;
            if (listed.used_memory != kNvmlValueNotAvailable) memory = listed.used_memory;
            auto [it, inserted] = by_pid.try_emplace(listed.pid);
            model::GpuProcess& process = it->second;
            if (inserted) {
                process.pid = listed.pid;
                process.gpu_index = gpu_index;
                process.type = type;
                process.memory_used_bytes = memory;
                continue;
            }
            // The same context listed twice (nvidia-smi's "C+G"): one memory figure, the larger one.
            if (process.type != type) process.type = "compute+graphics";
            if (memory && (!process.memory_used_bytes || *memory > *process.memory_used_bytes)) {
                process.memory_used_bytes = memory;
            }
        }
    }

    // nvmlDeviceGetProcessUtilization returns the samples newer than lastSeenTimeStamp; NOT_FOUND means there
    // are none, i.e. no process used the SMs since the previous tick.
    void attach_sm_percent(std::map<unsigned, model::GpuProcess>& by_pid) {
        if (fn_.device_get_process_utilization == nullptr || lost_) return;
        for (int attempt = 0; attempt < kMaxSizeRetries; ++attempt) {
            state_.sample_buffer.resize(state_.sample_capacity);
            unsigned int count = state_.sample_capacity;
            NvmlReturn rc = fn_.device_get_process_utilization(device_, state_.sample_buffer.data(), &count,
                                                               state_.last_seen_timestamp_us);
            if (rc == kNvmlErrorInsufficientSize) {
                state_.sample_capacity = std::max(grown(count), state_.sample_capacity + 1);
                continue;
            }
            if (rc == kNvmlErrorNotFound) {
                for (auto& entry : by_pid) entry.second.sm_percent = 0U;
                return;
            }
            if (!check(rc)) return;
            count = std::min(count, state_.sample_capacity);
            for (auto& entry : by_pid) entry.second.sm_percent = 0U;
            // Several samples per pid may come back; keep the newest one.
            std::map<unsigned, const NvmlProcessUtilizationSample*> newest;
            for (unsigned i = 0; i < count; ++i) {
                const NvmlProcessUtilizationSample& sample = state_.sample_buffer[i];
                state_.last_seen_timestamp_us = std::max(state_.last_seen_timestamp_us, sample.timeStamp);
                auto [it, inserted] = newest.try_emplace(sample.pid, &sample);
                if (!inserted && sample.timeStamp > it->second->timeStamp) it->second = &sample;
            }
            for (const auto& [pid, sample] : newest) {
                if (auto it = by_pid.find(pid); it != by_pid.end()) it->second.sm_percent = sample->smUtil;
            }
            return;
        }
    }

    const NvmlFunctions& fn_;
    NvmlDevice device_;
    DeviceState& state_;
    bool lost_ = false;
};

NvmlBackend::NvmlBackend(const std::string& library_path) : library_(library_path) {}

GpuSample NvmlBackend::sample() {
    const NvmlFunctions& fn = library_.fn();
    unsigned int count = 0;
    if (NvmlReturn rc = fn.device_get_count(&count); rc != kNvmlSuccess) {
        throw util::Error("gpu: nvmlDeviceGetCount failed: " + library_.error_string(rc));
    }
    if (states_.size() != count) states_.resize(count);

    GpuSample sample;
    sample.devices.reserve(count);
    for (unsigned index = 0; index < count; ++index) {
        model::GpuDevice device;
        device.index = index;
        NvmlDevice handle = nullptr;
        if (fn.device_get_handle_by_index(index, &handle) != kNvmlSuccess) {
            device.lost = true;
            sample.devices.push_back(std::move(device));
            continue;
        }
        DeviceReader reader(fn, handle, states_[index]);
        reader.fill(device);
        std::vector<model::GpuProcess> processes = reader.processes(index);
        device.lost = reader.lost();
        if (!device.lost) {
            sample.processes.insert(sample.processes.end(), std::make_move_iterator(processes.begin()),
                                    std::make_move_iterator(processes.end()));
        }
        sample.devices.push_back(std::move(device));
    }
    return sample;
}

}  // namespace cmon::sources
