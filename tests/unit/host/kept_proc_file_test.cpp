// KeptProcFile: a procfs file is kept open and read fresh at offset 0; anything else is opened by path on
// every read (a replaced file is seen); the first candidate that opens wins.
#include "sources/host/kept_proc_file.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

TEST(KeptProcFile, ASysctlFileIsKeptAndReadWholeEachTime) {
    KeptProcFile file(fs::path("/proc/sys/kernel/hostname"));
    struct utsname names {};
    ASSERT_EQ(::uname(&names), 0);
    const std::string expected = std::string(names.nodename) + "\n";
    for (int read = 0; read < 3; ++read) {
        auto text = file.read();
        ASSERT_TRUE(text);
        EXPECT_EQ(*text, expected) << "read " << read;
        EXPECT_TRUE(file.kept());
    }
}

TEST(KeptProcFile, AFileElsewhereIsOpenedByPathEachReadAndTheFirstCandidateThatOpensWins) {
    const fs::path dir = fs::temp_directory_path() / ("cmon-kept-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "b") << "first";
    KeptProcFile file({dir / "a", dir / "b"});
    auto text = file.read();
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "first");
    EXPECT_EQ(file.source(), dir / "b");
    EXPECT_FALSE(file.kept());

    std::ofstream(dir / "b.tmp") << "second, longer";
    fs::rename(dir / "b.tmp", dir / "b");
    text = file.read();
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "second, longer");

    std::ofstream(dir / "a") << "preferred";
    text = file.read();
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, "preferred");
    EXPECT_EQ(file.source(), dir / "a");

    fs::remove(dir / "a");
    fs::remove(dir / "b");
    EXPECT_FALSE(file.read());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace cmon::sources
