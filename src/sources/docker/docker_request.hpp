// The closed set of Docker Engine API calls the monitor may make, and the paths they map to.
// Read-only by construction: a DockerRequest can only be made by the named factories below (each one a GET
// of an inspection endpoint), container references are validated before they go into a path, and the
// path is built here, never taken from a caller. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cmon::sources {

enum class DockerEndpoint { version, info, containers_list, container_inspect, container_stats, container_top, events };

// Container ids (hex) and names ([a-zA-Z0-9][a-zA-Z0-9_.-]*, as the Docker CLI accepts them), 1..128 chars.
bool is_valid_container_ref(std::string_view ref);

class DockerRequest {
public:
    static DockerRequest version();                                // GET /version (unversioned: used to negotiate)
    static DockerRequest info();                                   // GET /info
    static DockerRequest containers_list();                        // GET /containers/json (running only)
    static DockerRequest container_inspect(std::string_view ref);  // GET /containers/{ref}/json
    static DockerRequest container_stats(std::string_view ref);    // GET /containers/{ref}/stats, one-shot
    static DockerRequest container_top(std::string_view ref);      // GET /containers/{ref}/top
    // GET /events?since=&until=: the daemon's events in a bounded window (so the response ends instead of
    // streaming forever), the bounds in Unix nanoseconds (sent as "seconds.nanoseconds", as the Docker CLI
    // sends them). `until` must not be in the future: the daemon would hold the response open until then.
    // Unfiltered: events of every type share the daemon's buffer, so the caller counts them all.
    static DockerRequest events(std::int64_t since_unix_ns, std::int64_t until_unix_ns);
    // GET /events?since=: the daemon's buffered events since then, and after them every new one as it
    // happens, on a response that does not end (EventStream follows it).
    static DockerRequest event_stream(std::int64_t since_unix_ns);

    DockerEndpoint endpoint() const { return endpoint_; }
    static constexpr std::string_view method() { return "GET"; }
    // The path without the version prefix and without query, for messages: "/containers/json".
    const std::string& path() const { return path_; }
    // The request target sent on the wire: "/v1.41/containers/json?all=0". api_version "" = unversioned.
    std::string target(std::string_view api_version) const;

private:
    DockerRequest(DockerEndpoint endpoint, std::string path, std::string query);
    static std::string checked_ref(std::string_view ref);

    DockerEndpoint endpoint_;
    std::string path_;
    std::string query_;
};

}  // namespace cmon::sources
