// Which entry size a loaded NVML writes from nvmlDevice{Compute,Graphics,MPSCompute}RunningProcesses, decided
// from the symbol that was found and the driver version. Pure: no I/O.
//
// Facts (nvml.h of each release, and nvitop's libnvml.py which tells the layouts apart the same way):
//   plain (no suffix)  nvmlProcessInfo_v1_t, 16 bytes           every driver
//   _v2                nvmlProcessInfo_v2_t, 24 bytes           R470+
//   _v3                24 bytes, except R535.43.02 - 535.86.x, which wrote the v2 struct plus
//                      usedGpuCcProtectedMemory (32 bytes); 535.98 exports no _v3; 535.104.05+ is back to 24.
// Without a readable driver version, the symbols decide as nvitop does: a library with
// nvmlDeviceGetConfComputeMemSizeInfo but without nvmlDeviceGetRunningProcessDetailList is the 32-byte one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

struct NvmlDriverVersion {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;  // 0 when the version has two parts ("535.98")
    auto operator<=>(const NvmlDriverVersion&) const = default;
};

// "535.54.03" -> {535, 54, 3}; "535.98" -> {535, 98, 0}; nullopt for anything else.
std::optional<NvmlDriverVersion> parse_nvml_driver_version(std::string_view text);

enum class NvmlProcessCall { kPlain, kV2, kV3 };

struct NvmlProcessLayout {
    NvmlProcessCall call = NvmlProcessCall::kV2;
    std::size_t entry_size = 24;
    std::string describe() const;  // "nvmlDevice*RunningProcesses_v3, 32-byte entries"
};

struct NvmlProcessSymbols {
    NvmlProcessCall found = NvmlProcessCall::kV2;  // newest suffix the library exports
    bool conf_compute_mem_size_info = false;       // nvmlDeviceGetConfComputeMemSizeInfo exported
    bool running_process_detail_list = false;      // nvmlDeviceGetRunningProcessDetailList exported
};

NvmlProcessLayout choose_process_layout(const NvmlProcessSymbols& symbols,
                                        const std::optional<NvmlDriverVersion>& driver);

}  // namespace cmon::sources
