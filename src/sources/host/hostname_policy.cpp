// Hostname policy: flag text -> policy, policy + candidates -> the name shown. Pure: no I/O.
#include "sources/host/hostname_policy.hpp"

#include <algorithm>

namespace cmon::sources {

namespace {

bool is_hostname_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

}  // namespace

std::optional<HostnamePolicy> parse_hostname_policy(std::string_view text) {
    using Mode = HostnamePolicy::Mode;
    if (text == "auto") return HostnamePolicy{Mode::automatic, {}};
    if (text == "kernel") return HostnamePolicy{Mode::kernel, {}};
    if (text == "docker") return HostnamePolicy{Mode::docker, {}};
    // 253: the longest DNS name (RFC 1035 2.3.4); '_' is allowed because real host names carry it.
    if (text.empty() || text.size() > 253 || !std::all_of(text.begin(), text.end(), is_hostname_char)) {
        return std::nullopt;
    }
    return HostnamePolicy{Mode::literal, std::string(text)};
}

bool needs_engine_name(const HostnamePolicy& policy, bool in_container) {
    switch (policy.mode) {
        case HostnamePolicy::Mode::automatic:
            return in_container;
        case HostnamePolicy::Mode::docker:
            return true;
        case HostnamePolicy::Mode::kernel:
        case HostnamePolicy::Mode::literal:
            return false;
    }
    return false;
}

std::string choose_hostname(const HostnamePolicy& policy, std::string_view kernel_hostname,
                            const std::optional<std::string>& engine_name, bool in_container) {
    if (policy.mode == HostnamePolicy::Mode::literal) return policy.literal;
    if (needs_engine_name(policy, in_container) && engine_name && !engine_name->empty()) return *engine_name;
    return std::string(kernel_hostname);
}

}  // namespace cmon::sources
