// The dashboard's files (web/dist), embedded into the binary by cmake/embed_assets.cmake.
// Read-only data with static storage duration: the views stay valid for the life of the program.
#pragma once

#include <span>
#include <string_view>

namespace cmon::web {

struct Asset {
    std::string_view path;          // "/index.html", "/app-3FZQ2W7K.js"
    std::string_view content_type;  // "text/javascript; charset=utf-8"
    std::string_view data;
    std::string_view gzip_data;  // the same bytes gzip-compressed (level 9); empty when not available
    bool immutable;              // content-hashed name: may be cached forever
};

// The asset served at `path` (no query string), or nullptr. "/" is index.html.
const Asset* find_asset(std::string_view path);

// Every embedded asset, sorted by path.
std::span<const Asset> all_assets();

}  // namespace cmon::web
