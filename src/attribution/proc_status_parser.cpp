// NSpid from /proc/<pid>/status (proc(5), "NSpid: Thread ID in each of the PID namespaces of which [tid] is a
// member. The fields are ordered as for NStgid").
#include "attribution/proc_status_parser.hpp"

#include <limits>

#include "util/text.hpp"

namespace cmon::attribution {

std::optional<unsigned> nspid_from_status(std::string_view proc_pid_status_text) {
    constexpr std::string_view kKey = "NSpid:";
    for (std::string_view line : util::split_lines(proc_pid_status_text)) {
        if (!line.starts_with(kKey)) continue;
        auto fields = util::split_whitespace(line.substr(kKey.size()));
        if (fields.empty()) return std::nullopt;
        auto value = util::parse_u64(fields.back());
        if (!value || *value > std::numeric_limits<unsigned>::max()) return std::nullopt;
        return static_cast<unsigned>(*value);
    }
    return std::nullopt;
}

}  // namespace cmon::attribution
