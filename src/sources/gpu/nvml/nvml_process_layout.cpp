// Entry size of the running-process lists; see the header for the sources of each fact.
#include "sources/gpu/nvml/nvml_process_layout.hpp"

#include <charconv>

namespace cmon::sources {

namespace {

bool read_number(std::string_view& text, unsigned& out) {
    const char* end = text.data() + text.size();
    auto [next, error] = std::from_chars(text.data(), end, out);
    if (error != std::errc() || next == text.data()) return false;
    text.remove_prefix(static_cast<std::size_t>(next - text.data()));
    return true;
}

// The releases whose _v3 wrote usedGpuCcProtectedMemory after the v2 fields.
constexpr NvmlDriverVersion kCcLayoutFirst{535, 43, 2};
constexpr NvmlDriverVersion kCcLayoutEnd{535, 104, 5};

}  // namespace

std::optional<NvmlDriverVersion> parse_nvml_driver_version(std::string_view text) {
    NvmlDriverVersion version;
    if (!read_number(text, version.major) || text.empty() || text.front() != '.') return std::nullopt;
    text.remove_prefix(1);
    if (!read_number(text, version.minor)) return std::nullopt;
    if (text.empty()) return version;
    if (text.front() != '.') return std::nullopt;
    text.remove_prefix(1);
    if (!read_number(text, version.patch) || !text.empty()) return std::nullopt;
    return version;
}

std::string NvmlProcessLayout::describe() const {
    const char* name = call == NvmlProcessCall::kV3   ? "nvmlDevice*RunningProcesses_v3"
                       : call == NvmlProcessCall::kV2 ? "nvmlDevice*RunningProcesses_v2"
                                                      : "nvmlDevice*RunningProcesses";
    return std::string(name) + ", " + std::to_string(entry_size) + "-byte entries";
}

NvmlProcessLayout choose_process_layout(const NvmlProcessSymbols& symbols,
                                        const std::optional<NvmlDriverVersion>& driver) {
    switch (symbols.found) {
        case NvmlProcessCall::kPlain:
            return {NvmlProcessCall::kPlain, 16};
        case NvmlProcessCall::kV2:
            return {NvmlProcessCall::kV2, 24};
        case NvmlProcessCall::kV3:
            break;
    }
    bool cc_layout = false;
    if (driver) {
        cc_layout = *driver >= kCcLayoutFirst && *driver < kCcLayoutEnd;
    } else {
        cc_layout = symbols.conf_compute_mem_size_info && !symbols.running_process_detail_list;
    }
    return {NvmlProcessCall::kV3, cc_layout ? std::size_t{32} : std::size_t{24}};
}

}  // namespace cmon::sources
