// DRM fdinfo text -> DrmFdinfo. Follows drm-usage-stats.rst: "key:<whitespace>value[ unit]" per line,
// whitespace after the colon ignored (amdgpu prints "drm-memory-gtt: \t"), numbers with an optional unit.
#include "sources/gpu/drm/fdinfo_parser.hpp"

#include <algorithm>
#include <limits>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * 1024;

bool strip_prefix(std::string_view& text, std::string_view prefix) {
    if (!text.starts_with(prefix)) return false;
    text.remove_prefix(prefix.size());
    return true;
}

// "12345 ns" -> 12345; the unit must be ns (the only time unit the spec defines).
std::optional<std::uint64_t> parse_ns(std::string_view value) {
    auto fields = util::split_whitespace(value);
    if (fields.empty() || fields.size() > 2) return std::nullopt;
    if (fields.size() == 2 && fields[1] != "ns") return std::nullopt;
    return util::parse_u64(fields[0]);
}

// Legacy amdgpu ring line "gfx0: 12.34%": name "gfx", percent 12.34.
bool parse_legacy_ring(std::string_view key, std::string_view value, DrmFdinfo& info) {
    if (value.empty() || value.back() != '%') return false;
    std::size_t digits = key.size();
    while (digits > 0 && key[digits - 1] >= '0' && key[digits - 1] <= '9') --digits;
    if (digits == 0 || digits == key.size()) return false;
    auto percent = util::parse_double(value.substr(0, value.size() - 1));
    if (!percent || *percent < 0) return false;
    DrmEngineCounters& engine = info.engines[std::string(key.substr(0, digits))];
    engine.legacy_percent = std::max(engine.legacy_percent.value_or(0.0), *percent);
    info.legacy_amdgpu = true;
    return true;
}

void parse_drm_key(std::string_view key, std::string_view value, DrmFdinfo& info) {
    if (key == "driver") {
        if (!value.empty()) info.driver = std::string(value);
    } else if (key == "pdev") {
        if (!value.empty()) info.pdev = std::string(value);
    } else if (key == "client-id") {
        if (auto id = util::parse_u64(value)) info.client_id = id;
    } else if (strip_prefix(key, "engine-capacity-")) {
        auto capacity = util::parse_u64(value);
        // Zero capacity is not allowed by the spec: keep the default of one.
        if (capacity && *capacity > 0 && *capacity <= std::numeric_limits<unsigned>::max())
            info.engines[std::string(key)].capacity = static_cast<unsigned>(*capacity);
    } else if (strip_prefix(key, "engine-")) {
        if (auto ns = parse_ns(value)) info.engines[std::string(key)].busy_ns = ns;
    } else if (strip_prefix(key, "total-cycles-")) {
        if (auto cycles = util::parse_u64(value)) info.engines[std::string(key)].total_cycles = cycles;
    } else if (strip_prefix(key, "cycles-")) {
        if (auto cycles = util::parse_u64(value)) info.engines[std::string(key)].cycles = cycles;
    } else if (strip_prefix(key, "total-")) {
        if (auto bytes = parse_drm_size(value)) info.memory[std::string(key)].total = bytes;
    } else if (strip_prefix(key, "resident-") || strip_prefix(key, "memory-")) {
        // drm-memory-<r> is the deprecated alias of drm-resident-<r>; a driver prints only one of them.
        if (auto bytes = parse_drm_size(value)) info.memory[std::string(key)].resident = bytes;
    }
}

void parse_legacy_key(std::string_view key, std::string_view value, DrmFdinfo& info,
                      std::optional<std::uint64_t>& pasid) {
    if (key == "pdev") {
        if (!value.empty()) info.pdev = std::string(value);
    } else if (key == "pasid") {
        pasid = util::parse_u64(value);  // amdgpu prints it in both forms
    } else if (key == "vram mem" || key == "gtt mem" || key == "cpu mem") {
        const std::string region(key.substr(0, key.find(' ')));
        if (auto bytes = parse_drm_size(value)) info.memory[region == "cpu" ? "cpu" : region].resident = bytes;
        info.legacy_amdgpu = true;
    } else {
        parse_legacy_ring(key, value, info);
    }
}

}  // namespace

std::optional<std::uint64_t> parse_drm_size(std::string_view value) {
    auto fields = util::split_whitespace(value);
    if (fields.empty() || fields.size() > 2) return std::nullopt;
    auto number = util::parse_u64(fields[0]);
    if (!number) return std::nullopt;
    std::uint64_t scale = 1;
    if (fields.size() == 2) {
        if (fields[1] == "KiB" || fields[1] == "kB")
            scale = kKiB;
        else if (fields[1] == "MiB")
            scale = kMiB;
        else if (fields[1] != "B")
            return std::nullopt;
    }
    if (*number > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
    return *number * scale;
}

DrmFdinfo parse_drm_fdinfo(std::string_view text) {
    DrmFdinfo info;
    std::optional<std::uint64_t> pasid;
    for (std::string_view line : util::split_lines(text)) {
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view key = util::trim(line.substr(0, colon));
        std::string_view value = util::trim(line.substr(colon + 1));
        if (strip_prefix(key, "drm-")) {
            parse_drm_key(key, value, info);
        } else if (key == "pdev" || key == "pasid" || key.find(" mem") != std::string_view::npos ||
                   (!value.empty() && value.back() == '%')) {
            parse_legacy_key(key, value, info, pasid);
        }
    }
    // Before drm-client-id existed (amdgpu 5.14-5.18) the pasid names the process's GPU VM: one per client.
    if (info.legacy_amdgpu && !info.client_id) info.client_id = pasid;
    // The 5.14-5.18 amdgpu form has no drm-driver line; its pasid/pdev lines say who wrote it.
    if (info.legacy_amdgpu && !info.driver) info.driver = "amdgpu";
    return info;
}

std::optional<std::uint64_t> drm_device_memory_bytes(const DrmFdinfo& info) {
    auto size = [](const DrmRegionMemory& region) { return region.resident ? region.resident : region.total; };
    auto local = [](const std::string& name) {
        return name.starts_with("vram") || name.starts_with("local");
    };
    std::optional<std::uint64_t> local_sum;
    std::optional<std::uint64_t> other_sum;
    for (const auto& [name, region] : info.memory) {
        auto bytes = size(region);
        if (!bytes) continue;
        if (local(name)) {
            local_sum = local_sum.value_or(0) + *bytes;
        } else if (name != "cpu" && name != "memory") {
            other_sum = other_sum.value_or(0) + *bytes;
        }
    }
    return local_sum ? local_sum : other_sum;
}

}  // namespace cmon::sources
