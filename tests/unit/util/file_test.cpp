// util/file: whole small files as text, nullopt for what cannot be read, /proc files whose stat() size is
// 0 read to their end, and the byte bound.
#include "util/file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <system_error>

namespace cmon::util {
namespace {

namespace fs = std::filesystem;

class ReadTextFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("cmon-util-file-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
        return dir_ / name;
    }
    fs::path dir_;
};

std::string pattern(std::size_t size) {
    std::string text;
    for (std::size_t i = 0; text.size() < size; ++i) text += std::to_string(i) + (i % 16 == 15 ? '\n' : ' ');
    text.resize(size);
    return text;
}

TEST_F(ReadTextFile, WholeFileWithItsBytesAsTheyAre) {
    EXPECT_EQ(read_text_file(write("a", "42\n")), "42\n");
    EXPECT_EQ(read_text_file(write("empty", "")), "");
    const std::string binary("a\0b\xff\n", 5);
    EXPECT_EQ(read_text_file(write("binary", binary)), binary);
    // Larger than one read(2) of the loop.
    const std::string big = pattern(100'000);
    EXPECT_EQ(read_text_file(write("big", big)), big);
}

TEST_F(ReadTextFile, WhatCannotBeReadIsNullopt) {
    EXPECT_EQ(read_text_file(dir_ / "missing"), std::nullopt);
    EXPECT_EQ(read_text_file(dir_ / "missing" / "below"), std::nullopt);
    EXPECT_EQ(read_text_file(dir_), std::nullopt) << "a directory opens, but read(2) fails";
    EXPECT_EQ(read_text_file(""), std::nullopt);
}

TEST_F(ReadTextFile, ProcFilesWithZeroSizeAreReadToTheEnd) {
    ASSERT_EQ(fs::file_size("/proc/self/status"), 0u) << "the premise: procfs reports size 0";
    const auto status = read_text_file("/proc/self/status");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->rfind("Name:\t", 0), 0u) << *status;
    EXPECT_NE(status->find("\nPid:\t" + std::to_string(::getpid()) + "\n"), std::string::npos);
    EXPECT_EQ(status->back(), '\n');
}

TEST_F(ReadTextFile, StopsOnceTheBoundIsReachedWithAPrefixOfTheFile) {
    const std::string big = pattern(200'000);
    const fs::path path = write("big", big);
    for (std::size_t bound : {std::size_t{1}, std::size_t{100}, std::size_t{8192}, std::size_t{20'000}}) {
        const auto text = read_text_file(path, bound);
        ASSERT_TRUE(text) << bound;
        // At least the bound, so that a caller asking for limit + 1 bytes can tell a cut file, and always
        // the file's own first bytes; reading stops long before the end of the file.
        EXPECT_GE(text->size(), bound);
        EXPECT_LT(text->size(), big.size());
        EXPECT_EQ(big.compare(0, text->size(), *text), 0) << bound;
    }
    EXPECT_EQ(read_text_file(path, big.size()), big);
    EXPECT_EQ(read_text_file(path, big.size() + 1), big);
}

}  // namespace
}  // namespace cmon::util
