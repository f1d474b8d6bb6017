// BodyCache: a linear LRU (a handful of formats times the last snapshot or two).
#include "http/body_cache.hpp"

#include <algorithm>

#include "http/gzip.hpp"

namespace cmon::http {

CachedBody::CachedBody(std::string plain) : plain_(std::make_shared<const std::string>(std::move(plain))) {}

std::shared_ptr<const std::string> CachedBody::gzip() const {
    std::lock_guard lock(mutex_);
    if (!gzip_) gzip_ = std::make_shared<const std::string>(gzip_compress(*plain_));
    return gzip_;
}

BodyCache::BodyCache(std::size_t capacity, std::uint64_t keep_behind)
    : capacity_(std::max<std::size_t>(capacity, 1)), keep_behind_(keep_behind) {}

std::shared_ptr<const CachedBody> BodyCache::get(std::uint64_t sequence, std::string_view format, const Build& build) {
    // Built under the lock: callers are the one network thread, and a concurrent caller would rather
    // wait for the bytes than serialize the same snapshot a second time.
    std::lock_guard lock(mutex_);
    ++clock_;
    for (Entry& entry : entries_) {
        if (entry.sequence == sequence && entry.format == format) {
            entry.last_used = clock_;
            return entry.body;
        }
    }
    auto body = std::make_shared<const CachedBody>(build());
    ++builds_;
    if (sequence > newest_) {
        newest_ = sequence;
        if (newest_ > keep_behind_) {
            const std::uint64_t oldest_kept = newest_ - keep_behind_;
            std::erase_if(entries_, [&](const Entry& entry) { return entry.sequence < oldest_kept; });
        }
    }
    if (entries_.size() >= capacity_) {
        const auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                             [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
        entries_.erase(oldest);
    }
    entries_.push_back(Entry{sequence, std::string(format), clock_, body});
    return body;
}

std::uint64_t BodyCache::builds() const {
    std::lock_guard lock(mutex_);
    return builds_;
}

}  // namespace cmon::http
