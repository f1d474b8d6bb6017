// BodyCache and gzip: one build per key, shared bytes, gzip made once and inflating back exactly.
#include "http/body_cache.hpp"

#include <gtest/gtest.h>

#include "http/gzip.hpp"
#include "inflate.hpp"

namespace cmon::http {
namespace {

// A body builder that counts how often the cache called it.
auto counting_build(int& calls) {
    return [&calls] {
        ++calls;
        return std::string("x");
    };
}

TEST(Gzip, InflatesBackToTheInput) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
    const std::string packed = gzip_compress(text);
    ASSERT_GE(packed.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // gzip magic (RFC 1952)
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    EXPECT_LT(packed.size(), text.size() / 3);
    EXPECT_EQ(testing::gunzip(packed), text);
    EXPECT_EQ(testing::gunzip(gzip_compress("")), "");
}

TEST(BodyCache, BuildsOncePerSequenceAndFormatAndSharesBytes) {
    BodyCache cache;
    int calls = 0;
    const auto build = [&] {
        ++calls;
        return std::string("body") + std::to_string(calls);
    };
    const auto a = cache.get(1, "api", build);
    const auto b = cache.get(1, "api", build);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(a.get(), b.get());
    EXPECT_EQ(a->plain().get(), b->plain().get());  // the very same bytes
    EXPECT_EQ(*a->plain(), "body1");
    cache.get(1, "query", build);
    cache.get(2, "api", build);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(cache.builds(), 3u);
}

TEST(BodyCache, EvictsLeastRecentlyUsed) {
    BodyCache cache(2);
    int calls = 0;
    const auto build = counting_build(calls);
    cache.get(1, "api", build);
    cache.get(2, "api", build);
    cache.get(1, "api", build);  // 1 is now the most recent
    cache.get(3, "api", build);  // evicts 2
    EXPECT_EQ(calls, 3);
    cache.get(1, "api", build);
    EXPECT_EQ(calls, 3);
    cache.get(2, "api", build);
    EXPECT_EQ(calls, 4);
}

TEST(CachedBody, GzipIsMadeOnceAndInflatesToPlain) {
    const CachedBody body(std::string(5000, 'a') + "end");
    const auto first = body.gzip();
    const auto second = body.gzip();
    EXPECT_EQ(first.get(), second.get());
    EXPECT_EQ(testing::gunzip(*first), *body.plain());
}

TEST(BodyCache, DropsSequencesFarBehindTheNewest) {
    BodyCache cache(16, 1);
    int calls = 0;
    const auto build = counting_build(calls);
    cache.get(1, "api", build);
    cache.get(2, "api", build);
    cache.get(2, "query", build);
    cache.get(1, "api", build);  // one behind the newest: still kept
    EXPECT_EQ(calls, 3);
    cache.get(3, "api", build);  // 1 is now two behind: dropped
    cache.get(2, "query", build);
    EXPECT_EQ(calls, 4);
    cache.get(1, "api", build);
    EXPECT_EQ(calls, 5);
}

}  // namespace
}  // namespace cmon::http
