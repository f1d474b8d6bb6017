// The in-memory history ring behind /api/v1/history and the page's sparklines. Nothing goes to disk.
// It keeps published snapshots themselves (shared, immutable: no copies), thinned to at most max_points
// over the window so memory stays bounded however short the interval: with 100 containers a snapshot is
// tens of KB, and 180 points cover 15 minutes at 5 s resolution. Live updates fill in between on the page.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <vector>

#include "model/snapshot.hpp"

namespace cmon::sampling {

class SnapshotHistory {
public:
    SnapshotHistory(std::chrono::seconds window, std::size_t max_points);

    // Called for every published snapshot; keeps one per (window / max_points) and drops what is older
    // than the window.
    void add(const model::SnapshotPtr& snapshot);
    // Oldest first, within `window` of the newest kept snapshot.
    std::vector<model::SnapshotPtr> within(std::chrono::seconds window) const;
    std::chrono::seconds window() const { return window_; }
    std::size_t size() const;

private:
    const std::chrono::seconds window_;
    const std::chrono::steady_clock::duration spacing_;
    mutable std::mutex mutex_;
    std::deque<model::SnapshotPtr> points_;
};

}  // namespace cmon::sampling
