// A router Request as the session builds it from a method and a raw request target.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "http/request_parsing.hpp"
#include "http/router.hpp"

namespace cmon::http::testing {

inline Request make_request(std::string method, std::string_view target) {
    auto parsed = parse_target(target);
    if (!parsed) throw std::invalid_argument("malformed test target: " + std::string(target));
    Request request;
    request.method = std::move(method);
    request.path = std::move(parsed->path);
    request.query = std::move(parsed->query);
    return request;
}

}  // namespace cmon::http::testing
