// GET /info body -> the engine's host name. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cmon::sources {

// "Name": the daemon's os.Hostname() (moby daemon/info.go), i.e. the host's name even when the caller runs in
// a container with its own UTS namespace. nullopt when the body is not a JSON object or Name is missing,
// not a string, or empty.
std::optional<std::string> parse_engine_name(std::string_view info_body);

}  // namespace cmon::sources
