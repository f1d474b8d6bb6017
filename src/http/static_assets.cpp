// Bridges web/'s asset table to the router. CMON_HAVE_WEB_ASSETS is set by src/http/CMakeLists.txt only
// when cmon_web_assets is a real (static) library; until then this build keeps the placeholder page.
#include "http/static_assets.hpp"

#ifdef CMON_HAVE_WEB_ASSETS
#include "web/assets.hpp"
#endif

namespace cmon::http {

AssetLookup embedded_assets() {
#ifdef CMON_HAVE_WEB_ASSETS
    return [](std::string_view path) -> std::optional<StaticAsset> {
        const web::Asset* asset = web::find_asset(path);
        if (asset == nullptr) return std::nullopt;
        return StaticAsset{asset->content_type, asset->data, asset->gzip_data, asset->immutable};
    };
#else
    return nullptr;
#endif
}

}  // namespace cmon::http
