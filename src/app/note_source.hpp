// The administrator's note: fixed text, or a file re-read whenever its modification time or size changes.
// A Source so that an unreadable note file shows up in source health like any other failure.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sources/source.hpp"

namespace cmon::app {

class NoteSource final : public sources::Source {
public:
    NoteSource(std::string text, std::filesystem::path file);
    std::string_view name() const override { return "note"; }
    void collect(model::Snapshot& draft) override;

private:
    std::string text_;
    std::filesystem::path file_;
    std::optional<std::filesystem::file_time_type> seen_mtime_;
    std::uintmax_t seen_size_ = 0;
};

}  // namespace cmon::app
