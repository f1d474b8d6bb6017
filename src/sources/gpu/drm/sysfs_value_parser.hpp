// Pure parsers of the small sysfs/procfs files the DRM backend reads: PCI ids ("0x1002"), uevent lines
// ("PCI_SLOT_NAME=0000:03:00.0"), KFD topology "properties" ("simd_count 304") and one decimal number per
// file. No I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

// "0x1002\n" -> 0x1002 (sysfs vendor/device files). nullopt on junk or a value above 0xffffffff.
std::optional<std::uint32_t> parse_sysfs_hex(std::string_view text);
// One unsigned decimal number with optional surrounding whitespace ("1350\n").
std::optional<std::uint64_t> parse_sysfs_u64(std::string_view text);
// The value of KEY in a uevent file ("KEY=value" per line); nullopt when absent or empty.
std::optional<std::string> parse_uevent_value(std::string_view text, std::string_view key);
// KFD topology node properties: "name value" per line, decimal values; malformed lines are skipped.
std::map<std::string, std::uint64_t> parse_kfd_properties(std::string_view text);

}  // namespace cmon::sources
