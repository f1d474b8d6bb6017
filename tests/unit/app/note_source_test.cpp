// NoteSource: the fixed note, or a file's trimmed text re-read when its modification time or size changes;
// an unreadable file is the source's failure (health) while the last text read stays on the page.
#include "app/note_source.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <system_error>

#include "util/error.hpp"

namespace cmon::app {
namespace {

namespace fs = std::filesystem;

class NoteFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cmon-note-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        file_ = dir_ / "note.txt";
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    // Writes the note and gives it its own modification time, so that a rewrite within one tick of the
    // file system's clock is still a change.
    void write(const std::string& text) {
        std::ofstream(file_, std::ios::trunc) << text;
        fs::last_write_time(file_, fs::file_time_type::clock::now() + std::chrono::seconds(++stamp_));
    }
    static std::string collect(NoteSource& source) {
        model::Snapshot draft;
        source.collect(draft);
        return draft.note;
    }

    fs::path dir_;
    fs::path file_;
    int stamp_ = 0;
};

TEST(NoteSource, FixedTextWithoutAFile) {
    NoteSource source("maintenance friday", {});
    EXPECT_EQ(source.name(), "note");
    model::Snapshot draft;
    source.collect(draft);
    EXPECT_EQ(draft.note, "maintenance friday");
    NoteSource none("", {});
    model::Snapshot empty;
    none.collect(empty);
    EXPECT_EQ(empty.note, "");
}

TEST_F(NoteFile, TheFileWinsAndIsTrimmed) {
    write("  GPU 3 is reserved for Alice\n\n");
    NoteSource source("fixed text", file_);
    EXPECT_EQ(collect(source), "GPU 3 is reserved for Alice");
}

TEST_F(NoteFile, AChangedFileIsReadAgain) {
    write("first");
    NoteSource source("", file_);
    EXPECT_EQ(collect(source), "first");
    write("second, longer");
    EXPECT_EQ(collect(source), "second, longer");
    write("third!");  // the same size as before would do too: the modification time moved
    EXPECT_EQ(collect(source), "third!");
}

TEST_F(NoteFile, AnUnchangedFileIsNotReadAgain) {
    write("kept");
    NoteSource source("", file_);
    EXPECT_EQ(collect(source), "kept");
    // Same size and modification time: the source keeps what it read (a read per sample would cost I/O).
    const auto mtime = fs::last_write_time(file_);
    std::ofstream(file_, std::ios::trunc) << "KEPT";
    fs::last_write_time(file_, mtime);
    EXPECT_EQ(collect(source), "kept");
}

TEST_F(NoteFile, AMissingFileFailsTheSourceAndKeepsTheLastText) {
    write("before it went");
    NoteSource source("", file_);
    EXPECT_EQ(collect(source), "before it went");
    fs::remove(file_);
    model::Snapshot draft;
    try {
        source.collect(draft);
        ADD_FAILURE() << "no error for a missing note file";
    } catch (const util::Error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("note: cannot read " + file_.string() + ": ", 0), 0u) << what;
    }
    EXPECT_EQ(draft.note, "before it went");
    write("back");
    EXPECT_EQ(collect(source), "back");
}

TEST_F(NoteFile, AFileThatIsNotReadableAsTextFails) {
    fs::create_directories(file_);  // a directory where the file should be: stat works, read(2) does not
    NoteSource source("fallback", file_);
    model::Snapshot draft;
    EXPECT_THROW(source.collect(draft), util::Error);
    EXPECT_EQ(draft.note, "fallback");
}

}  // namespace
}  // namespace cmon::app
