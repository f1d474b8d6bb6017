// `container-monitor report`: GPU-seconds held / busy / idle-held over one window, per owner, container or
// server, from increase() of the accounting counters in Prometheus. Plain values, std only.
#pragma once

#include <string>
#include <vector>

#include "model/fleet_snapshot.hpp"

namespace cmon::model {

struct UsageRow {
    std::string owner;      // by owner and container
    std::string container;  // by container
    std::string server;     // by container and server (Hostname, else instance)
    LabGpuSeconds seconds;
};

struct UsageReport {
    std::string by;            // "owner", "container", "server"
    long long window_seconds = 0;
    double end_unix = 0;       // the evaluation time; the window ends here
    std::vector<UsageRow> rows;  // most GPU-seconds held first
};

}  // namespace cmon::model
