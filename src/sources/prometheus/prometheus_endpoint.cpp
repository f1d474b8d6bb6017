// Prometheus URL parsing and the Basic credentials header. Pure: no I/O.
#include "sources/prometheus/prometheus_endpoint.hpp"

#include <cctype>

namespace cmon::sources {

std::optional<PrometheusEndpoint> parse_prometheus_url(std::string_view url) {
    PrometheusEndpoint out;
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        out.tls = true;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.find("://") != std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (path.find_first_of("?#") != std::string_view::npos) return std::nullopt;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.path_prefix = std::string(path);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view info = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        const std::size_t colon = info.find(':');
        out.user = std::string(info.substr(0, colon));
        if (colon != std::string_view::npos) out.password = std::string(info.substr(colon + 1));
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {  // [::1]:9090
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    if (!port.empty()) {
        if (port.size() > 5) return std::nullopt;
        unsigned value = 0;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return std::nullopt;
    }
    out.host = std::string(host);
    out.port = port.empty() ? (out.tls ? "443" : "9090") : std::string(port);
    const std::string shown_host = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
    out.display = std::string(out.tls ? "https://" : "http://") + shown_host + ":" + out.port + out.path_prefix;
    return out;
}

std::string basic_authorization(std::string_view user, std::string_view password) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string plain;
    plain.append(user).append(":").append(password);
    std::string out = "Basic ";
    std::size_t i = 0;
    for (; i + 2 < plain.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(plain[i]) << 16) | (static_cast<unsigned char>(plain[i + 1]) << 8) |
                           static_cast<unsigned char>(plain[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (i < plain.size()) {
        unsigned n = static_cast<unsigned char>(plain[i]) << 16;
        if (i + 1 < plain.size()) n |= static_cast<unsigned char>(plain[i + 1]) << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < plain.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace cmon::sources
