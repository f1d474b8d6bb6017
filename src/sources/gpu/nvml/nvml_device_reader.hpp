// Reads one NVIDIA device (and its MIG slices) into model::GpuDevice and model::GpuProcess, classifying
// every NVML return code the way real drivers use them:
//   - GPU_IS_LOST from any call, or UNKNOWN from the identity queries (name, UUID), mean the device is lost;
//   - FUNCTION_NOT_FOUND (or a missing symbol) means this driver lacks the call: the field is absent;
//   - NOT_SUPPORTED for something a board may simply not have (fan, MIG, MPS, GPM) is absent, no note;
//   - every other refusal (NOT_SUPPORTED elsewhere, NO_PERMISSION, ARGUMENT_VERSION_MISMATCH, DEPRECATED,
//     NOT_READY, INSUFFICIENT_SIZE after retries, UNKNOWN on a field) leaves the field absent and adds
//     "<field>: <CODE>" to degraded_fields;
//   - a versioned call answering ARGUMENT_VERSION_MISMATCH falls back to the older one (memory v2 -> v1),
//     a deprecated plain call to its versioned successor (temperature -> nvmlDeviceGetTemperatureV).
// State kept between ticks (buffers, SM sampling, GPM samples) lives in NvmlDeviceState.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"
#include "sources/gpu/nvml/nvml_gpm_sampler.hpp"
#include "sources/gpu/nvml/nvml_library.hpp"
#include "sources/gpu/nvml/process_utilization_tracker.hpp"

namespace cmon::sources {

struct NvmlDeviceState {
    explicit NvmlDeviceState(const NvmlFunctions& fn) : gpm(fn) {}
    unsigned process_capacity = 16;
    std::vector<std::byte> process_buffer;
    unsigned sample_capacity = 16;
    std::vector<NvmlProcessUtilizationSample> sample_buffer;
    ProcessUtilizationTracker sm;
    NvmlGpmSampler gpm;
    // nvmlDeviceGetMaxClockInfo answers the board's maximum clocks, fixed for a device (unlike the
    // application clocks or the enforced power limit, which nvidia-smi can change while we run): asked until
    // the driver answers once, then kept. Name and UUID are asked every sample even so: libnvidia-ml
    // answers them from its own cache, and they are what tells a lost device (UNKNOWN) apart.
    std::optional<unsigned> sm_clock_max_mhz;
    std::optional<unsigned> memory_clock_max_mhz;
};

// A process list entry, whatever the stride.
struct NvmlListedProcess {
    unsigned pid = 0;
    unsigned long long used_memory = 0;
    std::optional<unsigned> gpu_instance_id;
    std::optional<unsigned> compute_instance_id;
};

// Decodes `count` entries of `entry_size` bytes (16, 24 or 32). Entries with pid 0 or 0xFFFFFFFF are never
// real processes (they are what a wrong stride reads): they are dropped and counted in `rejected`.
std::vector<NvmlListedProcess> decode_process_entries(const std::byte* buffer, unsigned count, std::size_t entry_size,
                                                      unsigned& rejected);

class NvmlDeviceReader {
public:
    NvmlDeviceReader(const NvmlFunctions& fn, NvmlDevice device, NvmlDeviceState& state, model::GpuDevice& out)
        : fn_(fn), device_(device), state_(state), out_(out) {}

    // Fills out (device fields and MIG slices) and returns its processes. out.lost says whether it answered.
    std::vector<model::GpuProcess> read();

private:
    struct ProcessList {
        bool read = false;  // the driver answered the list (possibly empty)
        std::vector<NvmlListedProcess> entries;
    };

    bool ok(NvmlReturn rc, const char* field, bool optional_feature = false);
    void fill_identity();
    void fill_fields();
    struct Memory {
        std::optional<std::uint64_t> total, used, reserved, free;
    };
    Memory read_memory(NvmlDevice device, const std::string& field);
    void fill_temperature();
    void fill_clocks();
    // `prefix` + `suffix` name the list in degraded_fields; the name is only built when there is a note.
    ProcessList list(NvmlDevice device, NvmlFunctions::ProcessesFn fn, const NvmlProcessLayout& layout,
                     const std::string& prefix, const char* suffix, bool optional_feature);
    bool collect_processes(NvmlDevice device, const std::string& prefix, std::map<unsigned, model::GpuProcess>& by_pid,
                           const model::MigDevice* mig);
    void attach_sm_percent(std::map<unsigned, model::GpuProcess>& by_pid);
    void read_mig(std::map<unsigned, model::GpuProcess>& by_pid, bool& all_lists_read);
    void derive_memory_views(const std::map<unsigned, model::GpuProcess>& by_pid, bool lists_read);

    const NvmlFunctions& fn_;
    NvmlDevice device_;
    NvmlDeviceState& state_;
    model::GpuDevice& out_;
};

// "NVIDIA A100-SXM4-40GB MIG 1g.5gb" -> "1g.5gb"; "" when the name has no profile.
std::string mig_profile_from_name(const std::string& name);

}  // namespace cmon::sources
