// GET /info -> engine name (nlohmann-json). Pure: no I/O.
#include "sources/docker/engine_info_parser.hpp"

#include <nlohmann/json.hpp>

namespace cmon::sources {

std::optional<std::string> parse_engine_name(std::string_view info_body) {
    auto root = nlohmann::json::parse(info_body.begin(), info_body.end(), nullptr, false);
    if (!root.is_object()) return std::nullopt;
    auto it = root.find("Name");
    if (it == root.end() || !it->is_string()) return std::nullopt;
    auto name = it->get<std::string>();
    if (name.empty()) return std::nullopt;
    return name;
}

}  // namespace cmon::sources
