#include "sampling/snapshot_history.hpp"

namespace cmon::sampling {

SnapshotHistory::SnapshotHistory(std::chrono::seconds window, std::size_t max_points)
    : window_(window),
      spacing_(max_points == 0 ? std::chrono::steady_clock::duration(window)
                               : std::chrono::steady_clock::duration(window) / static_cast<std::int64_t>(max_points)) {}

void SnapshotHistory::add(const model::SnapshotPtr& snapshot) {
    if (!snapshot) return;
    std::lock_guard lock(mutex_);
    // Thin by monotonic time: keep a snapshot only when it is at least `spacing_` after the last kept one
    // (with a little slack so a 1 s interval and 5 s spacing keeps every fifth, not every sixth).
    if (!points_.empty() && snapshot->monotonic - points_.back()->monotonic < spacing_ * 9 / 10) return;
    points_.push_back(snapshot);
    while (!points_.empty() && snapshot->monotonic - points_.front()->monotonic > window_) points_.pop_front();
}

std::vector<model::SnapshotPtr> SnapshotHistory::within(std::chrono::seconds window) const {
    std::lock_guard lock(mutex_);
    std::vector<model::SnapshotPtr> out;
    if (points_.empty()) return out;
    auto newest = points_.back()->monotonic;
    for (const auto& point : points_)
        if (newest - point->monotonic <= window) out.push_back(point);
    return out;
}

std::size_t SnapshotHistory::size() const {
    std::lock_guard lock(mutex_);
    return points_.size();
}

}  // namespace cmon::sampling
