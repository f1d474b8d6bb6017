// The status line and header fields of a response, written into one reusable string: what Beast's
// serializer writes for the same message, without building a fields container (an allocation per
// field) per response. The session sends it and the body in one gathered write.
#pragma once

#include <string>

#include "http/router.hpp"

namespace cmon::http {

enum class Framing {
    keep_alive,  // Content-Length framed; the connection stays open
    close,       // Content-Length framed; "Connection: close" (HTTP/1.1)
    until_close  // no length: the body ends when the server closes (event streams)
};

// Replaces `out` with the head of `response` for an HTTP/1.`version % 10` request. Content-Length is
// the response's own "Content-Length" header when it has one (HEAD: the GET body's length), else its
// payload size; none for 1xx, 204 and 304 responses and for Framing::until_close.
void write_response_head(std::string& out, const Response& response, unsigned version, Framing framing);

}  // namespace cmon::http
