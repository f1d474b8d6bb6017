// Prometheus-style durations -> seconds. Pure: no I/O.
#include "sources/prometheus/duration_parser.hpp"

namespace cmon::sources {

std::optional<long long> parse_duration_seconds(std::string_view text) {
    struct Unit {
        std::string_view name;
        long long seconds;
    };
    static constexpr Unit kUnits[] = {{"y", 365 * 86400LL}, {"w", 7 * 86400LL}, {"d", 86400}, {"h", 3600},
                                      {"m", 60},            {"s", 1}};
    if (text.empty()) return std::nullopt;
    long long total = 0;
    std::size_t next_unit = 0;  // units must come largest first, each at most once
    std::size_t i = 0;
    while (i < text.size()) {
        long long value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (value > 1'000'000'000LL) return std::nullopt;
            value = value * 10 + (text[i++] - '0');
            ++digits;
        }
        if (digits == 0 || i >= text.size()) return std::nullopt;
        std::size_t u = next_unit;
        while (u < std::size(kUnits) && text.substr(i, 1) != kUnits[u].name) ++u;
        if (u == std::size(kUnits)) return std::nullopt;
        if (text.substr(i, 2) == "ms") return std::nullopt;  // below a second means nothing for increase()
        total += value * kUnits[u].seconds;
        if (total > 100LL * 365 * 86400) return std::nullopt;
        next_unit = u + 1;
        ++i;
    }
    if (total <= 0) return std::nullopt;
    return total;
}

}  // namespace cmon::sources
