// Bridges web/'s asset table (cmon_web_assets, which every build has) to the router.
#include "http/static_assets.hpp"

#include "web/assets.hpp"

namespace cmon::http {

AssetLookup embedded_assets() {
    return [](std::string_view path) -> std::optional<StaticAsset> {
        const web::Asset* asset = web::find_asset(path);
        if (asset == nullptr) return std::nullopt;
        return StaticAsset{asset->content_type, asset->data, asset->gzip_data, asset->immutable};
    };
}

}  // namespace cmon::http
