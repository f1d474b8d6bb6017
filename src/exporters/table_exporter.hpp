// `container-monitor snapshot --format table`: a terminal table like `docker stats`, with each container's
// GPU processes under it, host GPU processes after, and failed sources at the end. Pure.
#pragma once

#include <string>

#include "model/snapshot.hpp"

namespace cmon::exporters {

std::string to_table(const model::Snapshot& snapshot);

// Human units used by the table: "1.5GiB", "512MiB", "0B"; rates as "1.2MB/s".
std::string human_bytes(std::uint64_t bytes);

}  // namespace cmon::exporters
