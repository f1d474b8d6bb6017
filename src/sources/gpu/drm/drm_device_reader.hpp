// AMD and Intel GPUs from <sys>/class/drm/card*/device: identity once (vendor 0x1002/0x8086, driver link,
// PCI address, name, render node, hwmon directory) and live readings per tick:
//   amdgpu: gpu_busy_percent, mem_info_vram_used/_total, mem_info_gtt_used/_total, hwmon temp*_input (m°C),
//           power1_average or power1_input (µW), power1_cap (µW), fan1_input (RPM), pwm1 (0-255),
//           freq1_input / freq2_input (Hz: shader / memory clock)
//   i915:   card<N>/gt_act_freq_mhz, gt_RP0_freq_mhz; hwmon energy1_input (µJ), power1_max (µW);
//           card<N>/lmem_total_bytes, lmem_avail_bytes (Intel's backport driver only; mainline has none)
//   xe:     device/tile*/gt*/freq0/act_freq, rp0_freq; tile*/gt*/gtidle/idle_residency_ms;
//           tile*/physical_vram_size_bytes; hwmon energy1_input, power1_max
// Rates (power from energy, busy from idle residency) need two readings: absent on the first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::sources {

struct DrmCard {
    std::string card;  // "card0"
    std::filesystem::path card_dir;
    std::filesystem::path device_dir;
    std::string vendor;  // "amd" | "intel"
    std::uint32_t vendor_id = 0;
    std::uint32_t device_id = 0;
    std::string driver;      // "amdgpu", "i915", "xe" (the driver link's name)
    std::string pci_bus_id;  // "0000:03:00.0"
    std::string name;        // product_name, else "AMD GPU [1002:740f]"
    std::string unique_id;   // amdgpu unique_id where the board has one
    std::optional<std::string> render_node;
    std::optional<unsigned> render_minor;
    std::optional<std::filesystem::path> hwmon;
    std::optional<std::uint64_t> vram_total_bytes;
    std::optional<std::uint64_t> gtt_total_bytes;
    std::optional<unsigned> clock_max_mhz;
};

class DrmDeviceReader {
public:
    explicit DrmDeviceReader(std::filesystem::path sys);

    // Every AMD/Intel card under <sys>/class/drm, sorted by PCI address so indices are stable.
    std::vector<DrmCard> discover() const;
    // Live readings into `out` (identity fields included). `now_ns` is monotonic time for the rates.
    void read(const DrmCard& card, std::int64_t now_ns, model::GpuDevice& out);

private:
    struct RateState {
        std::int64_t time_ns = 0;
        std::optional<std::uint64_t> energy_uj;
        std::map<std::string, std::uint64_t> idle_ms;  // per gt directory
    };
    void read_amd(const DrmCard& card, model::GpuDevice& out) const;
    void read_intel(const DrmCard& card, std::int64_t now_ns, RateState& state, model::GpuDevice& out) const;
    void read_hwmon(const DrmCard& card, std::int64_t now_ns, RateState& state, model::GpuDevice& out) const;

    std::filesystem::path sys_;
    std::map<std::string, RateState> rates_;  // by PCI address
};

}  // namespace cmon::sources
