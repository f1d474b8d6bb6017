#include "sources/cgroup/cgroup_parser.hpp"

#include <limits>

#include "util/text.hpp"

namespace cmon::sources {

namespace {

using util::parse_u64;
using util::split_lines;
using util::split_whitespace;
using util::trim;

// Kernel counters are u64; a sum over devices could in theory wrap, so saturate instead.
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = a + b;
    return sum < a ? std::numeric_limits<std::uint64_t>::max() : sum;
}

bool is_device(std::string_view token) {
    auto colon = token.find(':');
    if (colon == std::string_view::npos) return false;
    return parse_u64(token.substr(0, colon)) && parse_u64(token.substr(colon + 1));
}

}  // namespace

std::map<std::string, std::uint64_t, std::less<>> parse_flat_keyed(std::string_view text) {
    std::map<std::string, std::uint64_t, std::less<>> out;
    for (auto line : split_lines(text)) {
        auto fields = split_whitespace(line);
        if (fields.size() != 2) continue;
        if (auto value = parse_u64(fields[1])) out.emplace(std::string(fields[0]), *value);
    }
    return out;
}

std::optional<std::uint64_t> find_flat_keyed(std::string_view text, std::string_view key) {
    if (key.empty()) return std::nullopt;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.size() <= key.size() || line.substr(0, key.size()) != key) continue;
        char after = line[key.size()];
        if (after != ' ' && after != '\t') continue;
        // First occurrence wins, like parse_flat_keyed; a junk value means "not reported".
        return parse_u64(trim(line.substr(key.size())));
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_single_value(std::string_view text) { return parse_u64(trim(text)); }

std::optional<CpuMax> parse_cpu_max(std::string_view text) {
    auto fields = split_whitespace(trim(text));
    if (fields.size() != 2) return std::nullopt;
    auto period = parse_u64(fields[1]);
    if (!period) return std::nullopt;
    CpuMax out;
    out.period_us = *period;
    if (fields[0] == "max") return out;
    auto quota = parse_u64(fields[0]);
    if (!quota) return std::nullopt;
    out.quota_us = *quota;
    return out;
}

namespace {
std::optional<std::uint64_t> times(std::optional<std::uint64_t> value, std::uint64_t factor) {
    if (!value || factor == 0 || *value > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
    return *value * factor;
}
}  // namespace

CpuUserSystem parse_cpuacct_stat_ns(std::string_view text, std::uint64_t ticks_per_second) {
    if (ticks_per_second == 0 || 1'000'000'000 % ticks_per_second != 0) return {};
    const std::uint64_t ns_per_tick = 1'000'000'000 / ticks_per_second;
    return {times(find_flat_keyed(text, "user"), ns_per_tick), times(find_flat_keyed(text, "system"), ns_per_tick)};
}

CpuUserSystem parse_cpu_stat_user_system_ns(std::string_view text) {
    return {times(find_flat_keyed(text, "user_usec"), 1000), times(find_flat_keyed(text, "system_usec"), 1000)};
}

std::optional<CgroupLimit> parse_limit(std::string_view text) {
    auto value = trim(text);
    if (value == "max") return CgroupLimit{.unlimited = true, .value = 0};
    auto number = parse_u64(value);
    if (!number) return std::nullopt;
    if (*number >= kUnlimitedThreshold) return CgroupLimit{.unlimited = true, .value = 0};
    return CgroupLimit{.unlimited = false, .value = *number};
}

std::optional<std::uint64_t> parse_cpu_stat_usage_ns(std::string_view text) {
    auto usec = find_flat_keyed(text, "usage_usec");
    constexpr std::uint64_t kNsPerUs = 1000;
    if (!usec || *usec > std::numeric_limits<std::uint64_t>::max() / kNsPerUs) return std::nullopt;
    return *usec * kNsPerUs;
}

std::optional<BlockIoBytes> parse_blkio_service_bytes(std::string_view text) {
    BlockIoBytes out;
    bool any_valid_line = false;
    std::string_view last_device;
    for (auto line : split_lines(text)) {
        auto fields = split_whitespace(line);
        if (fields.size() == 2 && fields[0] == "Total" && parse_u64(fields[1])) {
            any_valid_line = true;
            continue;
        }
        if (fields.size() != 3 || !is_device(fields[0])) continue;
        auto value = parse_u64(fields[2]);
        if (!value) continue;
        any_valid_line = true;
        if (fields[0] != last_device) {
            ++out.devices;
            last_device = fields[0];
        }
        if (fields[1] == "Read") out.read_bytes = saturating_add(out.read_bytes, *value);
        if (fields[1] == "Write") out.write_bytes = saturating_add(out.write_bytes, *value);
    }
    if (!any_valid_line) return std::nullopt;
    return out;
}

std::optional<BlockIoBytes> parse_io_stat(std::string_view text) {
    BlockIoBytes out;
    if (trim(text).empty()) return out;
    bool any_valid_line = false;
    for (auto line : split_lines(text)) {
        auto fields = split_whitespace(line);
        if (fields.empty() || !is_device(fields[0])) continue;
        any_valid_line = true;
        ++out.devices;
        for (std::size_t i = 1; i < fields.size(); ++i) {
            auto eq = fields[i].find('=');
            if (eq == std::string_view::npos) continue;
            auto key = fields[i].substr(0, eq);
            auto value = parse_u64(fields[i].substr(eq + 1));
            if (!value) continue;
            if (key == "rbytes") out.read_bytes = saturating_add(out.read_bytes, *value);
            if (key == "wbytes") out.write_bytes = saturating_add(out.write_bytes, *value);
        }
    }
    if (!any_valid_line) return std::nullopt;
    return out;
}

std::vector<ProcCgroupEntry> parse_proc_cgroup(std::string_view text) {
    std::vector<ProcCgroupEntry> out;
    for (auto line : split_lines(text)) {
        auto first = line.find(':');
        if (first == std::string_view::npos) continue;
        auto second = line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        auto id = parse_u64(line.substr(0, first));
        std::string_view path = line.substr(second + 1);
        if (!id || *id > std::numeric_limits<unsigned>::max() || path.empty()) continue;
        ProcCgroupEntry entry;
        entry.hierarchy_id = static_cast<unsigned>(*id);
        std::string_view controllers = line.substr(first + 1, second - first - 1);
        if (!controllers.empty()) {
            for (auto controller : util::split(controllers, ',')) entry.controllers.emplace_back(controller);
        }
        entry.path = std::string(path);
        out.push_back(std::move(entry));
    }
    return out;
}

std::optional<std::string> find_proc_cgroup_path(const std::vector<ProcCgroupEntry>& entries,
                                                 std::string_view controller) {
    for (const auto& entry : entries) {
        if (controller.empty()) {
            if (entry.hierarchy_id == 0 && entry.controllers.empty()) return entry.path;
            continue;
        }
        for (const auto& name : entry.controllers) {
            if (name == controller) return entry.path;
        }
    }
    return std::nullopt;
}

}  // namespace cmon::sources
