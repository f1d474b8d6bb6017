// Table tests for parse_meminfo (/proc/meminfo) and the MemAvailable fallback.
#include "sources/host/meminfo_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cmon::sources {
namespace {

using Bytes = std::optional<std::uint64_t>;

struct Case {
    const char* label;
    std::string text;
    Bytes total;
    Bytes available;  // available_or_estimate()
    Bytes swap_total;
    Bytes swap_free;
};

TEST(MeminfoParser, Table) {
    const Case cases[] = {
        {"empty input", "", {}, {}, {}, {}},
        {"modern kernel",
         "MemTotal:  1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\nBuffers: 1 kB\nCached: 2 kB\n"
         "SwapTotal: 300 kB\nSwapFree: 200 kB\n",
         1024000, 614400, 307200, 204800},
        {"no MemAvailable: free+buffers+cached", "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 20 kB\n",
         1024000, 133120, {}, {}},
        {"no MemAvailable and no Cached", "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\n", 1024000, {}, {}, {}},
        {"no final newline", "MemTotal: 8 kB\nMemAvailable: 4 kB", 8192, 4096, {}, {}},
        {"unknown keys and unitless values", "HugePages_Total: 0\nFoo(bar): 5 kB\nMemTotal: 2 kB\n", 2048, {}, {}, {}},
        {"huge value overflows bytes", "MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n", {}, 1024, {}, {}},
        {"largest convertible", "MemTotal: 18014398509481983 kB\n", 18446744073709550592ULL, {}, {}, {}},
        {"malformed lines", "MemTotal 5 kB\nMemAvailable: x kB\nSwapTotal: 1 MB\nSwapFree: 1 kB extra\n:\n",
         {}, {}, {}, {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        MemInfo info = parse_meminfo(c.text);
        EXPECT_EQ(info.total_bytes, c.total);
        EXPECT_EQ(info.available_or_estimate(), c.available);
        EXPECT_EQ(info.swap_total_bytes, c.swap_total);
        EXPECT_EQ(info.swap_free_bytes, c.swap_free);
    }
}

}  // namespace
}  // namespace cmon::sources
