// write_response_head: plain appends into a string whose capacity the session keeps between requests.
#include "http/response_head.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>

#include "http/request_parsing.hpp"

namespace cmon::http {
namespace {

void append_number(std::string& out, std::size_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string_view write_response_head(std::string& out, const Response& response, unsigned version, Framing framing,
                                     bool head_request) {
    out.clear();
    out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    append_number(out, static_cast<std::size_t>(response.status));
    out.push_back(' ');
    out.append(boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status)));
    out.append("\r\n");
    append_field(out, "Server", "container-monitor");
    if (!response.content_type.empty()) append_field(out, "Content-Type", response.content_type);
    for (const auto& [name, value] : response.headers) {
        // The length is the payload's, written below; several WWW-Authenticate challenges stay separate.
        if (!iequals(name, "Content-Length")) append_field(out, name, value);
    }
    const bool no_body = response.status / 100 == 1 || response.status == 204 || response.status == 304;
    if (framing != Framing::until_close && !no_body) {
        out.append("Content-Length: ");
        append_number(out, response.payload().size());
        out.append("\r\n");
    }
    const bool keep_alive = framing == Framing::keep_alive;
    if (version >= 11 && !keep_alive) out.append("Connection: close\r\n");
    if (version < 11 && keep_alive) out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    if (head_request || no_body) return {};
    return response.payload();
}

}  // namespace cmon::http
