// Durations as Prometheus writes them (model.ParseDuration): "90s", "30m", "12h", "7d", "2w", "1y",
// combined largest unit first ("1h30m"). Pure.
#pragma once

#include <optional>
#include <string_view>

namespace cmon::sources {

// Whole seconds; nullopt for empty text, unknown units, units out of order, "ms" fractions or zero.
std::optional<long long> parse_duration_seconds(std::string_view text);

}  // namespace cmon::sources
