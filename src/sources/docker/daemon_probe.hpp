// Whether a local Docker daemon is still there, without asking it anything. Each connect costs dockerd
// far more than it costs us (its Go runtime wakes threads for every accepted connection), so the source
// asks the socket once, at each container list, who is listening (SO_PEERCRED), and then watches that
// process with a pidfd in the poll it does anyway. The per-sample connect is the fallback when the
// listener's pid is not visible (another pid namespace).
#pragma once

#include <optional>
#include <string>

namespace cmon::sources {

// True when something listens on the unix socket at `path` (a full backlog counts as listening).
bool unix_socket_listening(const std::string& path);

// The pid of the process that listens on the unix socket at `path` (the one that called listen(2); with
// systemd socket activation that is systemd, not dockerd). nullopt when nothing listens or the pid is not
// visible from our pid namespace.
std::optional<int> unix_socket_listener_pid(const std::string& path);

}  // namespace cmon::sources
