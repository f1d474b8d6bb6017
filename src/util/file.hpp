// Reading small kernel files (/proc, /sys, cgroup). The only I/O helper the readers use.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace cmon::util {

// Whole file as text; nullopt when it does not exist or cannot be read (a process exited, a cgroup vanished).
// Reads with read(2) in a loop, so /proc files whose size stat() reports as 0 are read fully.
std::optional<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes = 4 << 20);

}  // namespace cmon::util
