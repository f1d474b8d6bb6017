// For tests of readers facing /proc entries that vanish mid-read: a thread that keeps removing a directory
// tree and copying it back (file by file, so every partial state shows up: the directory without some of
// its files, files present but the directory about to go) until stopped or a bounded number of rounds.
#pragma once

#include <atomic>
#include <filesystem>
#include <system_error>
#include <thread>

namespace cmon::testing {

class VanishingTree {
public:
    // `live` is removed and re-created from `original` over and over; it is left present at the end.
    VanishingTree(std::filesystem::path original, std::filesystem::path live, int max_rounds = 20000)
        : original_(std::move(original)), live_(std::move(live)), thread_([this, max_rounds] {
              for (int round = 0; round < max_rounds && !stop_; ++round) {
                  std::error_code ignored;
                  std::filesystem::remove_all(live_, ignored);
                  std::filesystem::copy(original_, live_, std::filesystem::copy_options::recursive, ignored);
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
        std::filesystem::remove_all(live_, ignored);
        std::filesystem::copy(original_, live_, std::filesystem::copy_options::recursive, ignored);
    }
    int rounds() const { return rounds_; }

private:
    std::filesystem::path original_;
    std::filesystem::path live_;
    std::atomic<bool> stop_{false};
    std::atomic<int> rounds_{0};
    std::thread thread_;
};

}  // namespace cmon::testing
