#include "app/main_entry.hpp"

namespace cmon::app {
int main_entry(int, char**) { return 0; }
}  // namespace cmon::app
