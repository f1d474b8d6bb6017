// Pure parser of one DRM file descriptor's /proc/<pid>/fdinfo/<fd> text, per the kernel's
// Documentation/gpu/drm-usage-stats.rst (drm-* keys, 5.19+ amdgpu, i915, xe) and the older amdgpu form
// of 5.14-5.18 (pdev:, pasid:, "vram mem: N kB", "gfx0: 12.34%"). No I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

// One engine class of one client. Counters are cumulative; capacity is how many identical engines the
// class groups (drm-engine-capacity-<e>, 1 when absent).
struct DrmEngineCounters {
    std::optional<std::uint64_t> busy_ns;       // drm-engine-<e>: <uint> ns
    std::optional<std::uint64_t> cycles;        // drm-cycles-<e>
    std::optional<std::uint64_t> total_cycles;  // drm-total-cycles-<e> (xe)
    unsigned capacity = 1;                      // drm-engine-capacity-<e>
    std::optional<double> legacy_percent;       // amdgpu 5.14-5.18: "<e><ring>: 12.34%" (busiest ring)
};

// One memory region of one client, in bytes.
struct DrmRegionMemory {
    std::optional<std::uint64_t> total;     // drm-total-<r>
    std::optional<std::uint64_t> resident;  // drm-resident-<r>, or its deprecated alias drm-memory-<r>
};

struct DrmFdinfo {
    std::optional<std::string> driver;       // drm-driver (mandatory in the spec; absent = not a DRM fd)
    std::optional<std::string> pdev;         // drm-pdev / legacy amdgpu "pdev:"
    std::optional<std::uint64_t> client_id;  // drm-client-id; legacy amdgpu: its pasid (one per process VM)
    std::map<std::string, DrmEngineCounters> engines;
    std::map<std::string, DrmRegionMemory> memory;
    bool legacy_amdgpu = false;  // the 5.14-5.18 percentage form
};

// Whole text of an fdinfo file. Unknown keys are ignored; a malformed value drops only that key.
DrmFdinfo parse_drm_fdinfo(std::string_view text);

// "<uint>", "<uint> B", "<uint> KiB", "<uint> MiB", "<uint> kB" (legacy amdgpu, = KiB) -> bytes.
// nullopt on junk, an unknown unit or overflow.
std::optional<std::uint64_t> parse_drm_size(std::string_view value);

// The memory a client holds on the device: its device-local regions (amdgpu "vram", i915 "local0", xe
// "vram0"...) when it reports any, else every region but plain system memory ("cpu", "memory") — an
// integrated GPU has no local memory. Resident size, falling back to total. nullopt when nothing reported.
std::optional<std::uint64_t> drm_device_memory_bytes(const DrmFdinfo& info);

}  // namespace cmon::sources
