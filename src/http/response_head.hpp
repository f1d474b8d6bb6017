// The status line and header fields of a response, written into one reusable string: what Beast's
// serializer writes for the same message, without building a fields container (an allocation per
// field) per response. The session sends it and the body in one gathered write.
#pragma once

#include <string>
#include <string_view>

#include "http/router.hpp"

namespace cmon::http {

enum class Framing {
    keep_alive,  // Content-Length framed; the connection stays open
    close,       // Content-Length framed; "Connection: close" (HTTP/1.1)
    until_close  // no length: the body ends when the server closes (event streams)
};

// Replaces `out` with the head of `response` for an HTTP/1.`version % 10` request and returns the body
// bytes to send after it. Content-Length is the payload size (a "Content-Length" in response.headers is
// ignored); none for 1xx, 204 and 304 responses and for Framing::until_close.
// `head_request`: the answer to HEAD is the GET answer's very head and no body. This is the one place a
// HEAD response is shaped; router, access control and error paths all answer HEAD as GET.
std::string_view write_response_head(std::string& out, const Response& response, unsigned version, Framing framing,
                                     bool head_request = false);

}  // namespace cmon::http
