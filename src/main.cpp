// container-monitor: parse the command line, run, and turn a startup error into one readable line.
#include "app/main_entry.hpp"

int main(int argc, char** argv) { return cmon::app::main_entry(argc, argv); }
