// KeptTexts: each container's JSON text kept from one document to the next with what it was written from,
// written again only when that changed (ApiSnapshotWriter, QueryWriter). On a server of mostly idle
// containers the rows are the same from one second to the next, and copying a kept text is a fraction of
// writing it. Not thread-safe: its owner locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cmon::exporters {

template <class Inputs>
class KeptTexts {
public:
    // Starts a document: texts not asked for until end() are dropped then (their containers went).
    void begin() {
        ++round_;
        written_ = 0;
        repeated_ = false;
    }
    // The text for container `id`: the kept one when `key` equals what it was written from (`Inputs ==
    // Key`), else the one `write(std::string&)` appends to an empty string, kept with Inputs(key). A key
    // may refer to the row instead of copying it: the row is copied only when its text is written.
    template <class Key, class Write>
    std::string_view text(const std::string& id, const Key& key, Write&& write) {
        Entry& entry = by_id_[id];
        repeated_ = repeated_ || entry.round == round_;
        if (entry.text.empty() || !(entry.inputs == key)) {
            entry.text.clear();
            write(entry.text);
            entry.inputs = Inputs(key);
            ++written_;
        }
        entry.round = round_;
        return entry.text;
    }
    void end() {
        std::erase_if(by_id_, [this](const auto& item) { return item.second.round != round_; });
    }
    // How many texts the last document wrote anew (the rest were copied).
    std::size_t written() const { return written_; }
    // Whether the last document asked for one id more than once (ids are unique in real snapshots).
    bool repeated() const { return repeated_; }

private:
    struct Entry {
        Inputs inputs;
        std::string text;
        std::uint64_t round = 0;
    };
    std::unordered_map<std::string, Entry> by_id_;
    std::uint64_t round_ = 0;
    std::size_t written_ = 0;
    bool repeated_ = false;
};

}  // namespace cmon::exporters
