// The one flat error type a whole source throws when it cannot collect at all (dockerd down, NVML lost).
// The message is written for a sysadmin: "docker: GET /containers/json: connection refused".
#pragma once

#include <stdexcept>
#include <string>

namespace cmon::util {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace cmon::util
