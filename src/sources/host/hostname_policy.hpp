// Which name the monitor shows for the host (--hostname auto|kernel|docker|<literal>). Pure: no I/O.
// A containerized monitor without --uts=host reads its own UTS namespace (the container's id as hostname);
// the Docker engine's GET /info "Name" is the daemon's os.Hostname(), i.e. the host's name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

struct HostnamePolicy {
    enum class Mode {
        automatic,  // the engine's name when the monitor runs in a container and Docker answered, else kernel
        kernel,     // <proc>/sys/kernel/hostname: the monitor's own UTS namespace
        docker,     // the engine's name, the kernel's until Docker has answered
        literal,    // the text given
    };
    Mode mode = Mode::automatic;
    std::string literal;
};

// "auto", "kernel", "docker", or a literal host name: 1..253 characters of letters, digits, '-', '_', '.'.
// nullopt for anything else (empty, spaces, control characters).
std::optional<HostnamePolicy> parse_hostname_policy(std::string_view text);

// Whether resolving under this policy needs the engine's name at all (no Docker request otherwise).
bool needs_engine_name(const HostnamePolicy& policy, bool in_container);

// The name to show. engine_name: Docker's /info Name, nullopt when Docker has not answered.
std::string choose_hostname(const HostnamePolicy& policy, std::string_view kernel_hostname,
                            const std::optional<std::string>& engine_name, bool in_container);

}  // namespace cmon::sources
