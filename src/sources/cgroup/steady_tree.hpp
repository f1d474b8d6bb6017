// The parent cgroup of a group of containers (Docker's "docker" or "system.slice", a --cgroup-parent),
// read at every sample before its children: when its CPU time and its memory usage are both exactly what
// they were at the previous sample, nothing under it ran and nothing was charged or uncharged in between.
// CPU time is charged to every ancestor as it is spent (cgroup v1 cpuacct, v2 rstat), and memory too (the
// page counters are hierarchical: v1 has no other mode since 5.11, v2 never had one), so an unmoved parent
// proves its idle children unchanged without reading them. One busy child, a sibling we do not track, or
// the kernel reclaiming anything under it moves the parent: the children are then read as usual.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "sources/cgroup/kernel_file.hpp"

namespace cmon::sources {

class SteadyTree {
public:
    // `cpu_file` and `memory_file`: the parent's own files of the kinds its children's CPU and memory usage
    // are read from (cpuacct.usage or cpu.stat; memory.usage_in_bytes or memory.current). Either that
    // cannot be opened leaves the tree never steady.
    SteadyTree(const std::filesystem::path& cpu_file, const std::filesystem::path& memory_file);

    // Reads both files; steady() is then whether both read and are byte for byte what the previous
    // update() read. The first update() is never steady.
    void update();
    bool steady() const { return steady_; }
    std::size_t open_files() const { return (cpu_ ? 1 : 0) + (memory_ ? 1 : 0); }

private:
    KernelFile cpu_;
    KernelFile memory_;
    std::string last_;  // the two texts of the last update, each ending in its newline
    bool have_last_ = false;
    bool steady_ = false;
    std::string buffer_;
};

}  // namespace cmon::sources
