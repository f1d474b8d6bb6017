#pragma once

namespace cmon::app {

// Parses argv (flags and CMON_* environment variables), runs the requested command and returns the exit
// code. Startup problems print one readable line to stderr and return non-zero.
int main_entry(int argc, char** argv);

}  // namespace cmon::app
