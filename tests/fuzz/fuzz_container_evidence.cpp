// Whether the monitor runs in a container: /proc/self/cgroup and /proc/self/mountinfo texts. The input is
// split at the first NUL byte: cgroup text before it, mountinfo text after it (all of it for both when
// there is none).
#include <optional>
#include <string>

#include "fuzz_input.hpp"
#include "sources/host/container_evidence_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace s = cmon::sources;
    const auto text = cmon::fuzz::as_text(data, size);
    const auto split = text.find('\0');
    const auto cgroup = text.substr(0, split);
    const auto mountinfo = split == std::string_view::npos ? text : text.substr(split + 1);
    const bool names = s::cgroup_names_container(cgroup);
    const bool managed = s::mountinfo_has_managed_hostname(mountinfo);
    for (const bool marker : {false, true}) {
        s::ContainerEvidence evidence;
        evidence.marker_file = marker;
        evidence.cgroup = std::string(cgroup);
        evidence.mountinfo = std::string(mountinfo);
        const bool inside = s::runs_in_container(evidence);
        // A marker file is enough; without one, the answer follows from the texts' evidence only.
        if (marker && !inside) __builtin_trap();
        if (!marker && !names && !managed && inside) __builtin_trap();
    }
    s::ContainerEvidence nothing;
    cmon::fuzz::keep(s::runs_in_container(nothing));
    return 0;
}
