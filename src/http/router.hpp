// Router: one HTTP request value -> one response value. No sockets, no Asio/Beast: the session does the
// wire work, so every route, status code and header here is testable with plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sampling/snapshot_provider.hpp"

namespace cmon::http {

struct Request {
    std::string method;           // as sent, e.g. "GET"
    std::string target;           // origin-form, e.g. "/query?x=1"
    std::string accept_encoding;  // the Accept-Encoding header, empty when absent
};

struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
    // Extra header fields (besides Content-Type). A HEAD response carries the GET body's length here as
    // "Content-Length", since its body is empty.
    std::vector<std::pair<std::string, std::string>> headers;

    // The value of the first header named `name` (ASCII case-insensitive), empty when absent.
    std::string header(std::string_view name) const;
};

struct RouterOptions {
    std::string title = "Container Monitor";  // shown on the HTML page
};

class Router {
public:
    Router(RouterOptions options, sampling::SnapshotProvider& provider);

    // Never throws for a bad request: those become 4xx responses.
    Response operator()(const Request& request) const;

private:
    Response route_get(std::string_view path) const;
    Response query() const;
    Response health() const;

    RouterOptions options_;
    sampling::SnapshotProvider& provider_;
};

}  // namespace cmon::http
