// gzip via zlib's deflate with a gzip wrapper (windowBits 15 + 16, see zlib.h deflateInit2).
#include "http/gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace cmon::http {

std::string gzip_compress(std::string_view data, int level) {
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("gzip: deflateInit2 failed");
    }
    std::string out;
    out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
    // zlib's API is not const-correct; deflate never writes through next_in.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    // deflateBound guarantees room for the whole stream in one Z_FINISH call.
    const int result = deflate(&stream, Z_FINISH);
    const auto written = stream.total_out;
    deflateEnd(&stream);
    if (result != Z_STREAM_END) throw std::runtime_error("gzip: deflate failed");
    out.resize(written);
    return out;
}

}  // namespace cmon::http
