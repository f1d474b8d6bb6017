// The parent cgroup of a group of containers (Docker's "docker" or "system.slice", a --cgroup-parent),
// read at every sample before its children: when its CPU time and its memory.stat are both exactly what
// they were at the previous sample, nothing under it ran, and nothing under it was charged or uncharged
// memory, had pages moved between its LRU lists or written back. CPU time is charged to every ancestor as
// it is spent (cgroup v1 cpuacct, v2 rstat), and a parent's memory.stat sums its whole subtree (the
// "total_" lines of v1, every line of v2), so an unmoved parent proves its idle children unchanged without
// reading them. One busy child, a sibling we do not track, or the kernel reclaiming anything under it
// moves the parent: the children are then read as usual.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "sources/cgroup/kernel_file.hpp"

namespace cmon::sources {

// What a parent's last two reads say of the subtree since the previous sample.
struct TreeState {
    bool cpu = false;     // nothing under it ran
    bool memory = false;  // nothing under it was charged, uncharged, moved between LRU lists, written back
};

class SteadyTree {
public:
    // `cpu_file` and `memory_file`: the parent's CPU file of the kind its children's CPU time is read from
    // (cpuacct.usage or cpu.stat) and its memory.stat. Either that cannot be opened leaves the tree never
    // steady.
    SteadyTree(const std::filesystem::path& cpu_file, const std::filesystem::path& memory_file);

    // Reads both files; state() then says which of the two read and are byte for byte what the previous
    // update() read. The first update() is never steady.
    void update();
    TreeState state() const { return state_; }
    std::size_t open_files() const { return (cpu_ ? 1 : 0) + (memory_ ? 1 : 0); }

private:
    KernelFile cpu_;
    KernelFile memory_;
    std::string last_cpu_;
    std::string last_memory_;
    bool have_last_ = false;
    TreeState state_;
    std::string buffer_;
};

}  // namespace cmon::sources
