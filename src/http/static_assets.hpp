// The dashboard's files as the router sees them: a lookup by URL path. The real lookup reads the
// embedded web/ bundle (cmon_web_assets); tests may pass their own.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace cmon::http {

struct StaticAsset {
    std::string_view content_type;
    std::string_view data;       // static storage: responses refer to it without copying
    std::string_view gzip_data;  // precompressed; empty when not worth it
    bool immutable = false;      // content-hashed name: cache for a year
};

using AssetLookup = std::function<std::optional<StaticAsset>(std::string_view path)>;

// The embedded dashboard ("/" is index.html).
AssetLookup embedded_assets();

}  // namespace cmon::http
