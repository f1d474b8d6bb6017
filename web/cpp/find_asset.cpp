// Looks up an embedded dashboard file by URL path. The table itself is generated at build time.
#include "web/assets.hpp"

namespace cmon::web {

const Asset* find_asset(std::string_view path) {
    if (path == "/") path = "/index.html";
    for (const Asset& asset : all_assets()) {
        if (asset.path == path) return &asset;
    }
    return nullptr;
}

}  // namespace cmon::web
