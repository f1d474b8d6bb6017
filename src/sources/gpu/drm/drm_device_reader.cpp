// DrmDeviceReader: identity and live readings of AMD/Intel GPUs from sysfs. File names and units follow the
// kernel's amdgpu sysfs documentation (Documentation/gpu/amdgpu/driver-misc.rst, thermal.rst), hwmon's
// Documentation/hwmon/sysfs-interface.rst, i915's gt_*_freq_mhz and xe's tile/gt/freq0 and gtidle trees.
#include "sources/gpu/drm/drm_device_reader.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <system_error>

#include "sources/gpu/drm/sysfs_value_parser.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::sources {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kAmdVendor = 0x1002;
constexpr std::uint32_t kIntelVendor = 0x8086;

std::optional<std::uint64_t> read_u64(const fs::path& path) {
    auto text = util::read_text_file(path, 256);
    if (!text) return std::nullopt;
    return parse_sysfs_u64(*text);
}

std::optional<unsigned> read_unsigned(const fs::path& path, std::uint64_t divisor = 1) {
    auto value = read_u64(path);
    if (!value) return std::nullopt;
    const std::uint64_t scaled = *value / divisor;
    if (scaled > 0xffffffffULL) return std::nullopt;
    return static_cast<unsigned>(scaled);
}

std::optional<std::string> read_line(const fs::path& path) {
    auto text = util::read_text_file(path, 1024);
    if (!text) return std::nullopt;
    std::string_view line = util::trim(*text);
    if (line.empty()) return std::nullopt;
    return std::string(line);
}

std::vector<fs::path> sorted_children(const fs::path& dir, std::string_view prefix) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(prefix)) out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// "card0" yes, "card0-DP-1" (a connector) no.
bool is_card_name(std::string_view name) {
    if (!name.starts_with("card") || name.size() == 4) return false;
    return std::all_of(name.begin() + 4, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string link_name(const fs::path& link) {
    std::error_code ec;
    fs::path target = fs::read_symlink(link, ec);
    if (ec) return {};
    return target.filename().string();
}

// The lowest-numbered temp*_input present: amdgpu's temp1 is "edge" (what rocm-smi shows by default) and
// MI200+ boards without an edge sensor start at "junction"; i915/xe have one or a few.
std::optional<unsigned> first_temperature(const fs::path& hwmon) {
    for (int i = 1; i <= 8; ++i) {
        if (auto millidegrees = read_u64(hwmon / fmt::format("temp{}_input", i))) {
            return static_cast<unsigned>(*millidegrees / 1000);
        }
    }
    return std::nullopt;
}

}  // namespace

DrmDeviceReader::DrmDeviceReader(fs::path sys) : sys_(std::move(sys)) {}

std::vector<DrmCard> DrmDeviceReader::discover() const {
    std::vector<DrmCard> cards;
    for (const fs::path& card_dir : sorted_children(sys_ / "class" / "drm", "card")) {
        const std::string card_name = card_dir.filename().string();
        if (!is_card_name(card_name)) continue;
        DrmCard card;
        card.card = card_name;
        card.card_dir = card_dir;
        card.device_dir = card_dir / "device";
        auto vendor = util::read_text_file(card.device_dir / "vendor", 64);
        auto vendor_id = vendor ? parse_sysfs_hex(*vendor) : std::nullopt;
        if (!vendor_id || (*vendor_id != kAmdVendor && *vendor_id != kIntelVendor)) continue;
        card.vendor_id = *vendor_id;
        card.vendor = *vendor_id == kAmdVendor ? "amd" : "intel";
        if (auto device = util::read_text_file(card.device_dir / "device", 64))
            card.device_id = parse_sysfs_hex(*device).value_or(0);
        const std::string uevent = util::read_text_file(card.device_dir / "uevent", 4096).value_or("");
        card.driver = link_name(card.device_dir / "driver");
        if (card.driver.empty()) card.driver = parse_uevent_value(uevent, "DRIVER").value_or("");
        card.pci_bus_id = parse_uevent_value(uevent, "PCI_SLOT_NAME").value_or("");
        if (card.pci_bus_id.empty()) card.pci_bus_id = link_name(card.device_dir);
        if (card.pci_bus_id.empty()) card.pci_bus_id = card_name;  // not a PCI device: keep it unique
        card.name = read_line(card.device_dir / "product_name")
                        .value_or(fmt::format("{} GPU [{:04x}:{:04x}]", card.vendor == "amd" ? "AMD" : "Intel",
                                              card.vendor_id, card.device_id));
        card.unique_id = read_line(card.device_dir / "unique_id").value_or("");
        for (const fs::path& node : sorted_children(card.device_dir / "drm", "renderD")) {
            card.render_node = node.filename().string();
            if (auto minor = util::parse_u64(card.render_node->substr(7)); minor && *minor < 0x100000)
                card.render_minor = static_cast<unsigned>(*minor);
            break;
        }
        auto hwmons = sorted_children(card.device_dir / "hwmon", "hwmon");
        if (!hwmons.empty()) card.hwmon = hwmons.front();
        if (card.vendor == "amd") {
            card.vram_total_bytes = read_u64(card.device_dir / "mem_info_vram_total");
            card.gtt_total_bytes = read_u64(card.device_dir / "mem_info_gtt_total");
        } else if (card.driver == "xe") {
            std::optional<std::uint64_t> vram;
            for (const fs::path& tile : sorted_children(card.device_dir, "tile")) {
                if (auto bytes = read_u64(tile / "physical_vram_size_bytes")) vram = vram.value_or(0) + *bytes;
            }
            card.vram_total_bytes = vram;
            auto gts = sorted_children(card.device_dir / "tile0", "gt");
            if (!gts.empty()) card.clock_max_mhz = read_unsigned(gts.front() / "freq0" / "rp0_freq");
        } else {
            card.clock_max_mhz = read_unsigned(card_dir / "gt_RP0_freq_mhz");
            // Only Intel's backport i915 (intel-i915-dkms) publishes local memory in sysfs; mainline i915 has
            // no such file. 0 there means no local memory (integrated): no size, not a size of 0.
            if (auto bytes = read_u64(card_dir / "lmem_total_bytes"); bytes && *bytes > 0) card.vram_total_bytes = bytes;
        }
        cards.push_back(std::move(card));
    }
    std::sort(cards.begin(), cards.end(),
              [](const DrmCard& a, const DrmCard& b) { return a.pci_bus_id < b.pci_bus_id; });
    return cards;
}

void DrmDeviceReader::read(const DrmCard& card, std::int64_t now_ns, model::GpuDevice& out) {
    out.name = card.name;
    out.uuid = card.unique_id;
    out.vendor = card.vendor;
    out.driver = card.driver.empty() ? std::nullopt : std::optional<std::string>(card.driver);
    out.pci_bus_id = card.pci_bus_id;
    out.render_node = card.render_node;
    out.memory_total_bytes = card.vram_total_bytes;
    out.gtt_memory_total_bytes = card.gtt_total_bytes;
    out.sm_clock_max_mhz = card.clock_max_mhz;
    RateState& state = rates_[card.pci_bus_id];
    if (card.vendor == "amd") {
        read_amd(card, out);
    } else {
        read_intel(card, now_ns, state, out);
    }
    read_hwmon(card, now_ns, state, out);
    state.time_ns = now_ns;
}

void DrmDeviceReader::read_amd(const DrmCard& card, model::GpuDevice& out) const {
    if (auto busy = read_unsigned(card.device_dir / "gpu_busy_percent"))
        out.utilization_percent = std::min(*busy, 100U);
    out.memory_used_bytes = read_u64(card.device_dir / "mem_info_vram_used");
    out.gtt_memory_used_bytes = read_u64(card.device_dir / "mem_info_gtt_used");
}

void DrmDeviceReader::read_intel(const DrmCard& card, std::int64_t now_ns, RateState& state,
                                 model::GpuDevice& out) const {
    if (card.driver != "xe") {
        out.sm_clock_mhz = read_unsigned(card.card_dir / "gt_act_freq_mhz");
        // Backport i915: used = total - not allocated. Without the files the backend sums the clients.
        if (card.vram_total_bytes) {
            if (auto avail = read_u64(card.card_dir / "lmem_avail_bytes"); avail && *avail <= *card.vram_total_bytes)
                out.memory_used_bytes = *card.vram_total_bytes - *avail;
        }
        return;
    }
    std::optional<double> busiest;
    std::map<std::string, std::uint64_t> idle_now;
    for (const fs::path& tile : sorted_children(card.device_dir, "tile")) {
        for (const fs::path& gt : sorted_children(tile, "gt")) {
            const std::string key = tile.filename().string() + "/" + gt.filename().string();
            if (!out.sm_clock_mhz) out.sm_clock_mhz = read_unsigned(gt / "freq0" / "act_freq");
            auto idle = read_u64(gt / "gtidle" / "idle_residency_ms");
            if (!idle) continue;
            idle_now[key] = *idle;
            auto before = state.idle_ms.find(key);
            const std::int64_t wall_ns = now_ns - state.time_ns;
            if (before == state.idle_ms.end() || *idle < before->second || wall_ns <= 0) continue;
            const double idle_share = static_cast<double>(*idle - before->second) * 1e6 / static_cast<double>(wall_ns);
            const double busy = std::clamp(100.0 * (1.0 - idle_share), 0.0, 100.0);
            busiest = std::max(busiest.value_or(0.0), busy);
        }
    }
    state.idle_ms = std::move(idle_now);
    if (busiest) out.utilization_percent = static_cast<unsigned>(*busiest + 0.5);
}

void DrmDeviceReader::read_hwmon(const DrmCard& card, std::int64_t now_ns, RateState& state,
                                 model::GpuDevice& out) const {
    if (!card.hwmon) return;
    const fs::path& hwmon = *card.hwmon;
    out.temperature_celsius = first_temperature(hwmon);
    // hwmon power is in microwatts; the model keeps milliwatts.
    auto power = read_unsigned(hwmon / "power1_average", 1000);
    if (!power) power = read_unsigned(hwmon / "power1_input", 1000);
    // Energy (microjoules, cumulative) only where no power file exists (i915/xe): one file less per tick.
    const auto energy = power ? std::nullopt : read_u64(hwmon / "energy1_input");
    if (!power && energy && state.energy_uj && *energy >= *state.energy_uj && now_ns > state.time_ns) {
        const double microwatts =
            static_cast<double>(*energy - *state.energy_uj) * 1e9 / static_cast<double>(now_ns - state.time_ns);
        power = static_cast<unsigned>(microwatts / 1000.0 + 0.5);
    }
    state.energy_uj = energy;
    out.power_draw_milliwatts = power;
    out.power_limit_milliwatts = read_unsigned(hwmon / "power1_cap", 1000);
    if (!out.power_limit_milliwatts) out.power_limit_milliwatts = read_unsigned(hwmon / "power1_max", 1000);
    out.fan_rpm = read_unsigned(hwmon / "fan1_input");
    // pwm1 is 0-255 (hwmon sysfs-interface): the closest thing to NVML's fan percent.
    if (auto pwm = read_unsigned(hwmon / "pwm1"); pwm && *pwm <= 255) out.fan_percent = (*pwm * 100 + 127) / 255;
    if (auto hz = read_u64(hwmon / "freq1_input")) out.sm_clock_mhz = static_cast<unsigned>(*hz / 1'000'000);
    if (auto hz = read_u64(hwmon / "freq2_input")) out.memory_clock_mhz = static_cast<unsigned>(*hz / 1'000'000);
}

}  // namespace cmon::sources
