#include "app/note_source.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::app {

NoteSource::NoteSource(std::string text, std::filesystem::path file) : text_(std::move(text)), file_(std::move(file)) {}

void NoteSource::collect(model::Snapshot& draft) {
    if (!file_.empty()) {
        std::error_code ec;
        auto mtime = std::filesystem::last_write_time(file_, ec);
        auto size = ec ? 0 : std::filesystem::file_size(file_, ec);
        if (ec) {
            draft.note = text_;  // keep showing the last text read
            throw util::Error("note: cannot read " + file_.string() + ": " + ec.message());
        }
        if (!seen_mtime_ || *seen_mtime_ != mtime || seen_size_ != size) {
            auto content = util::read_text_file(file_, 64 * 1024);
            if (!content) {
                draft.note = text_;
                throw util::Error("note: cannot read " + file_.string());
            }
            text_ = std::string(util::trim(*content));
            seen_mtime_ = mtime;
            seen_size_ = size;
        }
    }
    draft.note = text_;
}

}  // namespace cmon::app
