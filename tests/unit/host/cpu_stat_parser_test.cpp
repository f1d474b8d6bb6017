// Table tests for parse_cpu_stat (/proc/stat).
#include "sources/host/cpu_stat_parser.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cmon::sources {
namespace {

struct Case {
    const char* label;
    std::string text;
    std::optional<std::uint64_t> busy;
    std::optional<std::uint64_t> total;
    std::optional<unsigned> cpus;
};

TEST(CpuStatParser, Table) {
    const Case cases[] = {
        {"empty input", "", std::nullopt, std::nullopt, std::nullopt},
        {"full 10-column line, guest not added",
         "cpu  100 10 50 1000 20 5 5 10 40 3\ncpu0 100 10 50 1000 20 5 5 10 40 3\n", 180, 1200, 1},
        {"no final newline", "cpu  1 2 3 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\ncpu1 0 0 0 0 0 0 0 0", 27, 36, 2},
        {"old kernel, four columns", "cpu 1 2 3 4\n", 6, 10, std::nullopt},
        {"missing aggregate line", "cpu0 1 2 3 4 5 6 7 8\nintr 5\n", std::nullopt, std::nullopt, 1},
        {"unknown keys ignored", "btime 1\ncpu  1 1 1 1 1 1 1 1\nctxt 9\nprocs_running 2\ncpux 7\n", 6, 8,
         std::nullopt},
        {"too few columns", "cpu 1 2 3\n", std::nullopt, std::nullopt, std::nullopt},
        {"non-numeric column", "cpu 1 2 x 4 5\n", std::nullopt, std::nullopt, std::nullopt},
        {"negative column", "cpu 1 -2 3 4 5\n", std::nullopt, std::nullopt, std::nullopt},
        {"huge value fits", "cpu 18446744073709551000 0 0 615 0\n", 18446744073709551000ULL,
         18446744073709551615ULL, std::nullopt},
        {"sum overflows", "cpu 18446744073709551615 1 0 0 0\n", std::nullopt, std::nullopt, std::nullopt},
        {"value beyond u64", "cpu 18446744073709551616 0 0 0\n", std::nullopt, std::nullopt, std::nullopt},
        {"CRLF and blank lines", "\r\ncpu 1 1 1 1\r\n\ncpu3 1 1 1 1\r\n", 3, 4, 1},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        CpuStat stat = parse_cpu_stat(c.text);
        ASSERT_EQ(stat.times.has_value(), c.busy.has_value());
        if (stat.times) {
            EXPECT_EQ(stat.times->busy_ticks, *c.busy);
            EXPECT_EQ(stat.times->total_ticks, *c.total);
        }
        EXPECT_EQ(stat.cpu_count, c.cpus);
    }
}

TEST(CpuStatParser, FirstAggregateLineWins) {
    CpuStat stat = parse_cpu_stat("cpu 1 0 0 1\ncpu 5 0 0 5\n");
    ASSERT_TRUE(stat.times);
    EXPECT_EQ(stat.times->busy_ticks, 1U);
}

}  // namespace
}  // namespace cmon::sources
