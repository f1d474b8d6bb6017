// What the serving side (http/, the snapshot CLI) needs from sampling: the newest snapshot, a way to say
// "a client is looking", and a notification when a new snapshot is published.
#pragma once

#include <functional>

#include "model/snapshot.hpp"

namespace cmon::sampling {

class SnapshotProvider {
public:
    using Listener = std::function<void(const model::SnapshotPtr&)>;

    virtual ~SnapshotProvider() = default;
    // Newest published snapshot; nullptr before the first one. Never blocks on collection.
    virtual model::SnapshotPtr latest() const = 0;
    // A client asked for something. Returns true when collection was paused and a fresh snapshot is
    // coming (within about one interval): a caller that wants fresh data waits for the next publish.
    virtual bool touch() = 0;
    virtual bool paused() const = 0;
    // Called on the sampler thread after every publish. Keep it short: post the work elsewhere.
    virtual void add_listener(Listener listener) = 0;
};

}  // namespace cmon::sampling
