#include "sources/cgroup/steady_tree.hpp"

namespace cmon::sources {

SteadyTree::SteadyTree(const std::filesystem::path& cpu_file, const std::filesystem::path& memory_file)
    : cpu_(KernelFile::open(cpu_file)), memory_(KernelFile::open(memory_file)) {}

void SteadyTree::update() {
    auto cpu = cpu_ ? cpu_.read(buffer_) : std::nullopt;
    const bool cpu_same = cpu && have_last_ && *cpu == last_cpu_;
    if (cpu) last_cpu_.assign(*cpu);
    auto memory = cpu && memory_ ? memory_.read(buffer_) : std::nullopt;
    const bool memory_same = memory && have_last_ && *memory == last_memory_;
    if (memory) last_memory_.assign(*memory);
    state_ = TreeState{.cpu = cpu_same, .memory = cpu_same && memory_same};
    have_last_ = cpu && memory;  // both, or the next update compares nothing: never steady without either
}

}  // namespace cmon::sources
