// util/text: the splitting, trimming and whole-string number parses every pure parser builds on.
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace cmon::util {
namespace {

using Fields = std::vector<std::string_view>;

TEST(SplitWhitespace, RunsOfBlanksSeparateAndNoFieldIsEmpty) {
    EXPECT_EQ(split_whitespace("cpu  1 2\t\t3\n"), (Fields{"cpu", "1", "2", "3"}));
    EXPECT_EQ(split_whitespace("  leading and trailing  "), (Fields{"leading", "and", "trailing"}));
    EXPECT_EQ(split_whitespace("a\r\nb"), (Fields{"a", "b"}));
    EXPECT_EQ(split_whitespace(""), Fields{});
    EXPECT_EQ(split_whitespace(" \t\n "), Fields{});
    EXPECT_EQ(split_whitespace("one"), (Fields{"one"}));
}

TEST(SplitWhitespace, FieldsPointIntoTheInput) {
    const std::string text = "x yy";
    const auto fields = split_whitespace(text);
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields[1].data(), text.data() + 2);
}

TEST(Split, OneSeparatorEachAndEmptyFieldsKept) {
    EXPECT_EQ(split("0::/docker/abc", ':'), (Fields{"0", "", "/docker/abc"}));
    EXPECT_EQ(split("a,b,", ','), (Fields{"a", "b", ""}));
    EXPECT_EQ(split(",", ','), (Fields{"", ""}));
    EXPECT_EQ(split("", ','), (Fields{""}));
    EXPECT_EQ(split("no separator", ','), (Fields{"no separator"}));
}

TEST(SplitLines, NewlinesEndLinesAndNoTrailingEmptyLine) {
    EXPECT_EQ(split_lines("a\nb\n"), (Fields{"a", "b"}));
    EXPECT_EQ(split_lines("a\nb"), (Fields{"a", "b"}));
    EXPECT_EQ(split_lines("a\n\nb\n"), (Fields{"a", "", "b"}));
    EXPECT_EQ(split_lines("\n"), (Fields{""}));
    EXPECT_EQ(split_lines(""), Fields{});
    EXPECT_EQ(split_lines("a\r\n"), (Fields{"a\r"})) << "only '\\n' ends a line";
}

TEST(Trim, BlanksGoFromBothEndsOnly) {
    EXPECT_EQ(trim("  host-name\n"), "host-name");
    EXPECT_EQ(trim("\t a b \r\n"), "a b");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim(" \n\t "), "");
    EXPECT_EQ(trim("x"), "x");
}

TEST(ParseU64, WholeStringDecimalOnly) {
    EXPECT_EQ(parse_u64("0"), 0u);
    EXPECT_EQ(parse_u64("42"), 42u);
    EXPECT_EQ(parse_u64("007"), 7u);
    EXPECT_EQ(parse_u64("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(parse_u64("18446744073709551616"), std::nullopt) << "overflow";
    EXPECT_EQ(parse_u64(""), std::nullopt);
    EXPECT_EQ(parse_u64("-1"), std::nullopt);
    EXPECT_EQ(parse_u64("+1"), std::nullopt);
    EXPECT_EQ(parse_u64(" 1"), std::nullopt);
    EXPECT_EQ(parse_u64("1 "), std::nullopt);
    EXPECT_EQ(parse_u64("12ab"), std::nullopt);
    EXPECT_EQ(parse_u64("0x10"), std::nullopt);
    EXPECT_EQ(parse_u64("max"), std::nullopt);
}

TEST(ParseI64, SignedWholeStringDecimal) {
    EXPECT_EQ(parse_i64("-5"), -5);
    EXPECT_EQ(parse_i64("5"), 5);
    EXPECT_EQ(parse_i64("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(parse_i64("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(parse_i64("9223372036854775808"), std::nullopt) << "overflow";
    EXPECT_EQ(parse_i64("+5"), std::nullopt);
    EXPECT_EQ(parse_i64("-"), std::nullopt);
    EXPECT_EQ(parse_i64(""), std::nullopt);
    EXPECT_EQ(parse_i64("1.5"), std::nullopt);
}

TEST(ParseDouble, WholeStringNumbers) {
    EXPECT_EQ(parse_double("1.5"), 1.5);
    EXPECT_EQ(parse_double("-0.25"), -0.25);
    EXPECT_EQ(parse_double("3"), 3.0);
    EXPECT_EQ(parse_double("1e3"), 1000.0);
    EXPECT_EQ(parse_double(""), std::nullopt);
    EXPECT_EQ(parse_double("1.5x"), std::nullopt);
    EXPECT_EQ(parse_double(" 1.5"), std::nullopt);
    EXPECT_EQ(parse_double("."), std::nullopt);
    EXPECT_EQ(parse_double("1e999"), std::nullopt) << "out of range";
}

}  // namespace
}  // namespace cmon::util
