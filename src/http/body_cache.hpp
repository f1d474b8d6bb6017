// BodyCache: each snapshot is serialized once per format and the bytes are shared by every response
// and event stream that sends them (ARCHITECTURE.md, "Snapshot rules"). A small LRU keyed by
// (snapshot sequence, format); each entry makes its gzip on first demand, also once.
// Pure apart from a mutex: no Asio/Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::http {

class CachedBody {
public:
    explicit CachedBody(std::string plain);

    const std::shared_ptr<const std::string>& plain() const { return plain_; }
    // The gzip encoding of plain(); compressed on the first call, the same bytes afterwards.
    std::shared_ptr<const std::string> gzip() const;

private:
    std::shared_ptr<const std::string> plain_;
    mutable std::mutex mutex_;
    mutable std::shared_ptr<const std::string> gzip_;
};

class BodyCache {
public:
    using Build = std::function<std::string()>;

    // `keep_behind`: when a body for a newer sequence is built, entries more than this many sequences
    // behind it go at once (a 67 KB snapshot body for each of the last 16 sequences would otherwise
    // stay in memory although only the newest is ever asked for).
    explicit BodyCache(std::size_t capacity = 16, std::uint64_t keep_behind = UINT64_MAX);

    // The body for (sequence, format): built by `build` on a miss, shared afterwards. The least
    // recently used entry goes when the cache is full.
    std::shared_ptr<const CachedBody> get(std::uint64_t sequence, std::string_view format, const Build& build);
    // How many times a body was built (misses), for tests and stats.
    std::uint64_t builds() const;

private:
    struct Entry {
        std::uint64_t sequence = 0;
        std::string format;
        std::uint64_t last_used = 0;
        std::shared_ptr<const CachedBody> body;
    };

    const std::size_t capacity_;
    const std::uint64_t keep_behind_;
    std::uint64_t newest_ = 0;
    mutable std::mutex mutex_;
    std::vector<Entry> entries_;
    std::uint64_t clock_ = 0;
    std::uint64_t builds_ = 0;
};

}  // namespace cmon::http
