// Container ids in cgroup paths. Path shapes: Docker's cgroupfs and systemd drivers
// (moby/moby daemon/oci, "docker-<id>.scope"), podman ("libpod-<id>.scope", containers/common
// pkg/cgroups), containerd's CRI plugin ("cri-containerd-<id>.scope") and CRI-O ("crio-<id>.scope").
#include "attribution/cgroup_id_parser.hpp"

#include <array>

#include "util/text.hpp"

namespace cmon::attribution {

namespace {

constexpr std::size_t kIdLength = 64;

bool is_lower_hex_id(std::string_view text) {
    if (text.size() != kIdLength) return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::optional<std::string_view> id_in_component(std::string_view component) {
    if (is_lower_hex_id(component)) return component;
    constexpr std::string_view kScope = ".scope";
    if (component.size() <= kScope.size() || component.substr(component.size() - kScope.size()) != kScope) {
        return std::nullopt;
    }
    component.remove_suffix(kScope.size());
    constexpr std::array<std::string_view, 5> kPrefixes = {"docker-", "libpod-", "cri-containerd-", "crio-",
                                                           "containerd-"};
    for (std::string_view prefix : kPrefixes) {
        if (component.starts_with(prefix) && is_lower_hex_id(component.substr(prefix.size()))) {
            return component.substr(prefix.size());
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> container_id_from_cgroup(std::string_view proc_pid_cgroup_text) {
    for (std::string_view line : util::split_lines(proc_pid_cgroup_text)) {
        // "hierarchy-ID:controller-list:cgroup-path" (cgroups(7)); the path may itself contain ':'.
        std::size_t first = line.find(':');
        if (first == std::string_view::npos) continue;
        std::size_t second = line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        std::string_view path = util::trim(line.substr(second + 1));
        for (std::string_view component : util::split(path, '/')) {
            if (auto id = id_in_component(component)) return std::string(*id);
        }
    }
    return std::nullopt;
}

}  // namespace cmon::attribution
