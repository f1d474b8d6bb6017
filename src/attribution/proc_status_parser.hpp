// /proc/<pid>/status -> the pid as seen inside the process's own pid namespace. Pure: no I/O.
#pragma once

#include <optional>
#include <string_view>

namespace cmon::attribution {

// The last entry of the "NSpid:" line (proc(5): pids from the outermost to the innermost namespace);
// nullopt when the line is missing (kernels before 4.1) or malformed.
std::optional<unsigned> nspid_from_status(std::string_view proc_pid_status_text);

}  // namespace cmon::attribution
