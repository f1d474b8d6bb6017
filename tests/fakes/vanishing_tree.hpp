// For tests of readers facing /proc entries that vanish mid-read: a thread that keeps removing a directory
// tree and copying it back (file by file, so every partial state shows up: the directory without some of
// its files, files present but the directory about to go) until stopped or a bounded number of rounds.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace cmon::testing {

class VanishingTree {
public:
    // `live` is removed and re-created from `original` over and over; it is left present at the end.
    VanishingTree(std::filesystem::path original, std::filesystem::path live, int max_rounds = 20000)
        : VanishingTree(std::vector<std::pair<std::filesystem::path, std::filesystem::path>>{
                            {std::move(original), std::move(live)}},
                        max_rounds) {}
    // Several trees (original, live) in lockstep: all removed, then all copied back, each round, as the
    // directories of one container in the hierarchies of cgroup v1 go together.
    explicit VanishingTree(std::vector<std::pair<std::filesystem::path, std::filesystem::path>> trees,
                           int max_rounds = 20000)
        : trees_(std::move(trees)), thread_([this, max_rounds] {
              for (int round = 0; round < max_rounds && !stop_; ++round) {
                  std::error_code ignored;
                  for (const auto& [original, live] : trees_) std::filesystem::remove_all(live, ignored);
                  for (const auto& [original, live] : trees_) {
                      std::filesystem::copy(original, live, std::filesystem::copy_options::recursive, ignored);
                  }
                  rounds_ = round + 1;
              }
          }) {}
    ~VanishingTree() { stop(); }
    VanishingTree(const VanishingTree&) = delete;
    VanishingTree& operator=(const VanishingTree&) = delete;

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        std::error_code ignored;
        for (const auto& [original, live] : trees_) {
            std::filesystem::remove_all(live, ignored);
            std::filesystem::copy(original, live, std::filesystem::copy_options::recursive, ignored);
        }
    }
    int rounds() const { return rounds_; }

private:
    std::vector<std::pair<std::filesystem::path, std::filesystem::path>> trees_;
    std::atomic<bool> stop_{false};
    std::atomic<int> rounds_{0};
    std::thread thread_;
};

// The same states, one at a time and every one of them: a reader that runs in each state meets every
// partial tree the copying thread above can leave, with no luck involved. The entries of `original` are
// listed parents first; a prefix is the tree copied back up to that entry (0: gone, size(): whole), and
// "without" is the whole tree less one entry (and what lies under it).
class TreeStates {
public:
    TreeStates(std::filesystem::path original, std::filesystem::path live)
        : original_(std::move(original)), live_(std::move(live)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(original_)) {
            entries_.push_back(std::filesystem::relative(entry.path(), original_));
        }
        std::sort(entries_.begin(), entries_.end());  // a directory sorts before what it holds
    }
    // Leaves the tree whole, unless its parent is gone by then (the test removed everything).
    ~TreeStates() {
        std::error_code ignored;
        if (!std::filesystem::exists(live_.parent_path(), ignored)) return;
        std::filesystem::remove_all(live_, ignored);
        std::filesystem::copy(original_, live_, std::filesystem::copy_options::recursive, ignored);
    }
    TreeStates(const TreeStates&) = delete;
    TreeStates& operator=(const TreeStates&) = delete;

    std::size_t size() const { return entries_.size(); }
    const std::filesystem::path& entry(std::size_t index) const { return entries_.at(index); }

    void show_prefix(std::size_t count) {
        std::filesystem::remove_all(live_);
        if (count == 0) return;
        std::filesystem::create_directory(live_);
        for (std::size_t i = 0; i < count && i < entries_.size(); ++i) {
            const auto from = original_ / entries_[i];
            if (std::filesystem::is_directory(from)) {
                std::filesystem::create_directory(live_ / entries_[i]);
            } else {
                std::filesystem::copy_file(from, live_ / entries_[i]);
            }
        }
    }
    void show_without(std::size_t index) {
        show_prefix(entries_.size());
        std::filesystem::remove_all(live_ / entries_.at(index));
    }

private:
    std::filesystem::path original_;
    std::filesystem::path live_;
    std::vector<std::filesystem::path> entries_;
};

}  // namespace cmon::testing
