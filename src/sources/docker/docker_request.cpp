// Builds the allowlisted Docker API paths. Pure: no I/O.
#include "sources/docker/docker_request.hpp"

#include <algorithm>
#include <utility>

#include "util/error.hpp"

namespace cmon::sources {

namespace {

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool is_valid_container_ref(std::string_view ref) {
    if (ref.empty() || ref.size() > 128 || !is_alnum(ref.front())) {
        return false;
    }
    for (char c : ref) {
        if (!is_alnum(c) && c != '_' && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

DockerRequest::DockerRequest(DockerEndpoint endpoint, std::string path, std::string query)
    : endpoint_(endpoint), path_(std::move(path)), query_(std::move(query)) {}

std::string DockerRequest::checked_ref(std::string_view ref) {
    if (!is_valid_container_ref(ref)) {
        throw util::Error("docker: refusing invalid container id or name (" + std::to_string(ref.size()) + " chars)");
    }
    return std::string(ref);
}

DockerRequest DockerRequest::version() { return {DockerEndpoint::version, "/version", ""}; }

DockerRequest DockerRequest::info() { return {DockerEndpoint::info, "/info", ""}; }

DockerRequest DockerRequest::containers_list() {
    return {DockerEndpoint::containers_list, "/containers/json", "all=0"};
}

DockerRequest DockerRequest::container_inspect(std::string_view ref) {
    return {DockerEndpoint::container_inspect, "/containers/" + checked_ref(ref) + "/json", ""};
}

DockerRequest DockerRequest::container_stats(std::string_view ref) {
    // one-shot skips the second sample engines take for precpu_stats (API >= 1.41; older ones ignore it).
    return {DockerEndpoint::container_stats, "/containers/" + checked_ref(ref) + "/stats",
            "stream=false&one-shot=true"};
}

DockerRequest DockerRequest::container_top(std::string_view ref) {
    return {DockerEndpoint::container_top, "/containers/" + checked_ref(ref) + "/top", ""};
}

namespace {

// "seconds.nanoseconds" (timetypes.GetTimestamp's form); negative times are clamped to 0.
std::string docker_timestamp(std::int64_t unix_ns) {
    const std::int64_t ns = std::max<std::int64_t>(unix_ns, 0);
    std::string fraction = std::to_string(ns % 1000000000);
    return std::to_string(ns / 1000000000) + "." + std::string(9 - fraction.size(), '0') + fraction;
}

}  // namespace

DockerRequest DockerRequest::events(std::int64_t since_unix_ns, std::int64_t until_unix_ns) {
    return {DockerEndpoint::events, "/events",
            "since=" + docker_timestamp(since_unix_ns) + "&until=" + docker_timestamp(until_unix_ns)};
}

DockerRequest DockerRequest::event_stream(std::int64_t since_unix_ns) {
    return {DockerEndpoint::events, "/events", "since=" + docker_timestamp(since_unix_ns)};
}

std::string DockerRequest::target(std::string_view api_version) const {
    std::string out;
    if (!api_version.empty() && endpoint_ != DockerEndpoint::version) {
        out += "/v";
        out += api_version;
    }
    out += path_;
    if (!query_.empty()) {
        out += '?';
        out += query_;
    }
    return out;
}

}  // namespace cmon::sources
