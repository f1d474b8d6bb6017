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

TEST(SteadyTree, IsSteadyWhileBothFilesReadAsBefore) {
    ParentDir parent;
    SteadyTree tree = parent.tree();
    EXPECT_EQ(tree.open_files(), 2U);
    EXPECT_FALSE(tree.steady());
    tree.update();
    EXPECT_FALSE(tree.steady());  // nothing to compare with yet
    tree.update();
    EXPECT_TRUE(tree.steady());
    parent.write("cpuacct.usage", "1001\n");
    tree.update();
    EXPECT_FALSE(tree.steady());
    tree.update();
    EXPECT_TRUE(tree.steady());
    parent.write("memory.stat", "8192\n");
    tree.update();
    EXPECT_FALSE(tree.steady());
    tree.update();
    EXPECT_TRUE(tree.steady());
}

// The two texts are kept apart: a digit moving from one file to the other is a change.
TEST(SteadyTree, ATextMovingBetweenTheFilesIsAChange) {
    ParentDir parent;
    parent.write("cpuacct.usage", "10");
    parent.write("memory.stat", "0");
    SteadyTree tree = parent.tree();
    tree.update();
    parent.write("cpuacct.usage", "1");
    parent.write("memory.stat", "00");
    tree.update();
    EXPECT_FALSE(tree.steady());
}

TEST(SteadyTree, IsNeverSteadyWithoutBothFiles) {
    ParentDir parent;
    SteadyTree no_memory(parent.path("cpuacct.usage"), parent.path("absent"));
    EXPECT_EQ(no_memory.open_files(), 1U);
    no_memory.update();
    no_memory.update();
    EXPECT_FALSE(no_memory.steady());
}

TEST(SteadyTree, AFileThatStopsReadingEndsTheSteadiness) {
    ParentDir parent;
    SteadyTree tree = parent.tree();
    tree.update();
    tree.update();
    ASSERT_TRUE(tree.steady());
    // A directory cannot be read: what a removed cgroup's file gives (ENODEV) in a plain-file fixture.
    fs::remove(parent.path("memory.stat"));
    fs::create_directory(parent.path("memory.stat"));
    SteadyTree broken = parent.tree();
    broken.update();
    broken.update();
    EXPECT_FALSE(broken.steady());
}

}  // namespace
}  // namespace cmon::sources
