#include "sources/cgroup/steady_tree.hpp"

namespace cmon::sources {

SteadyTree::SteadyTree(const std::filesystem::path& cpu_file, const std::filesystem::path& memory_file)
    : cpu_(KernelFile::open(cpu_file)), memory_(KernelFile::open(memory_file)) {}

void SteadyTree::update() {
    std::string now;
    bool read = cpu_ && memory_;
    for (const KernelFile* file : {&cpu_, &memory_}) {
        if (!read) break;
        auto text = file->read(buffer_);
        read = text.has_value();
        if (read) {
            now.append(*text);
            now.push_back('\n');  // a separator, should a text come without its own
        }
    }
    steady_ = read && have_last_ && now == last_;
    have_last_ = read;
    last_ = std::move(now);
}

}  // namespace cmon::sources
