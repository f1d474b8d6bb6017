#include "app/main_entry.hpp"

#include <cstdio>
#include <exception>

#include "app/application.hpp"
#include "app/config.hpp"
#include "app/fleet_command.hpp"
#include "app/snapshot_command.hpp"
#include "util/error.hpp"

namespace cmon::app {

int main_entry(int argc, char** argv) {
    Config config;
    try {
        config = parse_config(argc, argv);
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "container-monitor: %s\n", e.what());
        return 2;
    }
    if (config.command == Command::exit_ok) return 0;
    try {
        if (config.command == Command::snapshot) return run_snapshot(config);
        if (config.command == Command::fleet) return run_fleet(config);
        if (config.command == Command::report) return run_report(config);
        return Application(std::move(config)).run();
    } catch (const util::Error& e) {
        std::fprintf(stderr, "container-monitor: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "container-monitor: unexpected error: %s\n", e.what());
        return 1;
    }
}

}  // namespace cmon::app
