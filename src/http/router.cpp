// Router: maps (method, target) to a response value. Pure apart from reading the provider's latest
// snapshot; no sockets and no Asio/Beast here (keeps this translation unit light and testable).
#include "http/router.hpp"

#include <optional>

#include "exporters/health_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "http/placeholder_page.hpp"

namespace cmon::http {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kHtml = "text/html; charset=utf-8";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes %XX escapes of an origin-form path; nullopt when the path is malformed (no leading '/',
// a bad escape, a control character or an encoded NUL).
std::optional<std::string> decode_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        if (i + 2 >= path.size()) return std::nullopt;
        const int hi = hex_value(path[i + 1]);
        const int lo = hex_value(path[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const int value = hi * 16 + lo;
        if (value == 0) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

Response json_response(int status, std::string body) {
    Response response;
    response.status = status;
    response.content_type = std::string(kJson);
    response.body = std::move(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

Response error_response(int status, std::string_view message) {
    return json_response(status, "{\"error\":\"" + std::string(message) + "\"}");
}

}  // namespace

std::string Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return {};
}

Router::Router(RouterOptions options, sampling::SnapshotProvider& provider)
    : options_(std::move(options)), provider_(provider) {}

Response Router::operator()(const Request& request) const {
    const bool head = request.method == "HEAD";
    if (request.method != "GET" && !head) {
        Response response = error_response(405, "method not allowed");
        response.headers.emplace_back("Allow", "GET, HEAD");
        return response;
    }
    // The query string is ignored for routing (and not validated: nothing here reads it).
    const std::string_view target = request.target;
    const auto path = decode_path(target.substr(0, target.find('?')));
    Response response = path ? route_get(*path) : error_response(400, "bad request");
    if (head) {
        response.headers.emplace_back("Content-Length", std::to_string(response.body.size()));
        response.body.clear();
    }
    return response;
}

Response Router::route_get(std::string_view path) const {
    if (path == "/query") return query();
    if (path == "/healthz") return health();
    if (path == "/") {
        Response response;
        response.content_type = std::string(kHtml);
        response.body = placeholder_page(options_.title);
        response.headers.emplace_back("Cache-Control", "no-cache");
        response.headers.emplace_back("X-Content-Type-Options", "nosniff");
        response.headers.emplace_back(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
        return response;
    }
    return error_response(404, "not found");
}

Response Router::query() const {
    const model::SnapshotPtr latest = provider_.latest();
    if (!latest) return error_response(503, "no data collected yet");
    return json_response(200, exporters::to_query_json(*latest));
}

Response Router::health() const {
    const model::SnapshotPtr latest = provider_.latest();
    const bool ok = exporters::healthy(latest.get());
    return json_response(ok ? 200 : 503, exporters::to_health_json(latest.get(), provider_.paused()));
}

}  // namespace cmon::http
