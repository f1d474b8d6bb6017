// gzip encoding of response bodies with zlib. Pure apart from allocating.
#pragma once

#include <string>
#include <string_view>

namespace cmon::http {

// The gzip member (RFC 1952) of `data`: deflateInit2 with windowBits 15 + 16. Throws std::runtime_error
// only if zlib itself fails (out of memory).
std::string gzip_compress(std::string_view data, int level = 6);

}  // namespace cmon::http
