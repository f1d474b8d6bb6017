// Wires the stages together for `serve`: sources -> sampler -> router/server, and runs until a signal.
#pragma once

#include "app/config.hpp"

namespace cmon::app {

class Application {
public:
    explicit Application(Config config);
    // Blocks until SIGINT/SIGTERM. Throws util::Error for startup problems (port taken, bad address).
    int run();

private:
    Config config_;
};

}  // namespace cmon::app
