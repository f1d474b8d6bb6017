// Table tests for parse_loadavg (/proc/loadavg) and parse_uptime (/proc/uptime).
#include "sources/host/loadavg_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cmon::sources {
namespace {

TEST(LoadavgParser, Table) {
    struct Case {
        const char* label;
        std::string text;
        bool present;
        double one, five, fifteen;
    };
    const Case cases[] = {
        {"empty input", "", false, 0, 0, 0},
        {"typical", "0.06 0.08 0.03 1/81 3754\n", true, 0.06, 0.08, 0.03},
        {"no final newline", "1.50 2.00 3.25 2/100 1", true, 1.5, 2.0, 3.25},
        {"only three fields", "4 5 6", true, 4, 5, 6},
        {"huge value", "123456789.99 0 0 1/1 1\n", true, 123456789.99, 0, 0},
        {"missing field", "0.1 0.2\n", false, 0, 0, 0},
        {"non-numeric", "0.1 abc 0.3 1/1 1\n", false, 0, 0, 0},
        {"negative", "-1 0 0 1/1 1\n", false, 0, 0, 0},
        {"not finite", "inf 0 0 1/1 1\n", false, 0, 0, 0},
        {"second line ignored", "\n0.1 0.2 0.3\n", false, 0, 0, 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        LoadAvg parsed = parse_loadavg(c.text);
        ASSERT_EQ(parsed.load.has_value(), c.present);
        if (!parsed.load) continue;
        EXPECT_DOUBLE_EQ(parsed.load->one, c.one);
        EXPECT_DOUBLE_EQ(parsed.load->five, c.five);
        EXPECT_DOUBLE_EQ(parsed.load->fifteen, c.fifteen);
    }
}

TEST(UptimeParser, Table) {
    struct Case {
        const char* label;
        std::string text;
        std::optional<double> uptime;
        std::optional<double> idle;
    };
    const Case cases[] = {
        {"empty input", "", {}, {}},
        {"typical", "3724.65 7361.43\n", 3724.65, 7361.43},
        {"no final newline", "1.5 2.5", 1.5, 2.5},
        {"missing idle", "10.0\n", 10.0, {}},
        {"huge value", "99999999999.99 0\n", 99999999999.99, 0.0},
        {"malformed uptime", "x 5\n", {}, 5.0},
        {"negative", "-3 -4\n", {}, {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        Uptime parsed = parse_uptime(c.text);
        EXPECT_EQ(parsed.uptime_seconds, c.uptime);
        EXPECT_EQ(parsed.idle_seconds, c.idle);
    }
}

}  // namespace
}  // namespace cmon::sources
