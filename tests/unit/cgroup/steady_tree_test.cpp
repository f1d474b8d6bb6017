// SteadyTree: a parent cgroup's CPU and memory files, steady while both read exactly as before.
#include "sources/cgroup/steady_tree.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

class ParentDir {
public:
    ParentDir() : dir_(fs::temp_directory_path() / ("cmon-steady-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        write("cpuacct.usage", "1000\n");
        write("memory.stat", "total_rss 4096\n");
    }
    ~ParentDir() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
    SteadyTree tree() const { return SteadyTree(dir_ / "cpuacct.usage", dir_ / "memory.stat"); }
    fs::path path(const std::string& name) const { return dir_ / name; }

private:
    fs::path dir_;
};

bool steady(const SteadyTree& tree) { return tree.state().cpu && tree.state().memory; }

TEST(SteadyTree, IsSteadyWhileBothFilesReadAsBefore) {
    ParentDir parent;
    SteadyTree tree = parent.tree();
    EXPECT_EQ(tree.open_files(), 2U);
    EXPECT_FALSE(steady(tree));
    tree.update();
    EXPECT_FALSE(steady(tree));  // nothing to compare with yet
    tree.update();
    EXPECT_TRUE(steady(tree));
    parent.write("cpuacct.usage", "1001\n");
    tree.update();
    EXPECT_FALSE(tree.state().cpu);
    EXPECT_FALSE(tree.state().memory);
    tree.update();
    EXPECT_TRUE(steady(tree));
    // The memory moved, the CPU time did not: what Round::memory is for.
    parent.write("memory.stat", "8192\n");
    tree.update();
    EXPECT_TRUE(tree.state().cpu);
    EXPECT_FALSE(tree.state().memory);
    tree.update();
    EXPECT_TRUE(steady(tree));
}

TEST(SteadyTree, IsNeverSteadyWithoutBothFilesReadable) {
    ParentDir parent;
    SteadyTree no_memory(parent.path("cpuacct.usage"), parent.path("absent"));
    EXPECT_EQ(no_memory.open_files(), 1U);
    no_memory.update();
    no_memory.update();
    EXPECT_FALSE(no_memory.state().cpu);
    // A directory opens but cannot be read: what a removed cgroup's file gives (ENODEV) in a fixture.
    fs::remove(parent.path("memory.stat"));
    fs::create_directory(parent.path("memory.stat"));
    SteadyTree unreadable = parent.tree();
    unreadable.update();
    unreadable.update();
    EXPECT_FALSE(unreadable.state().cpu);
}

}  // namespace
}  // namespace cmon::sources
