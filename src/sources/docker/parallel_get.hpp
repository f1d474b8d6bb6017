// One bounded fan-out of Docker GETs: what the stats-API reader (one stats request per container) and the
// top lister (one top request per container) both need. Requests run on at most max_parallel threads.
#pragma once

#include <vector>

#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_request.hpp"

namespace cmon::sources {

// The responses in the order of `requests`. A request whose exchange failed (no answer at all) comes back
// as a DockerResponse with status 0 (not ok()). Throws util::Error, the first failure's message, when
// every request failed that way: the daemon is unreachable. No requests: no responses, no throw.
std::vector<DockerResponse> parallel_get(DockerClient& client, const std::vector<DockerRequest>& requests,
                                         unsigned max_parallel);

}  // namespace cmon::sources
