// JsonWriter: the text it appends is JSON that reads back as what was written, numbers as nlohmann::json
// writes them.
#include "exporters/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

namespace cmon::exporters {
namespace {

TEST(JsonWriter, NestsWithCommasInTheRightPlaces) {
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.number(1);
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.null();
    w.end_array();
    w.key("b");
    w.boolean(false);
    w.key("c");
    w.begin_object();
    w.key("d");
    w.string("x");
    w.end_object();
    w.end_object();
    EXPECT_EQ(text, R"({"a":[1,{},[],null],"b":false,"c":{"d":"x"}})");
}

TEST(JsonWriter, NumbersAreWrittenAsNlohmannJsonWritesThem) {
    for (const double value : {0.0, -0.0, 50.0, 12.3, -0.5, 12345678901234.0, 1e15, 1.5e15, 999999999999999.9, 1e16,
                               1e21, 1e-5, 1e-4, 0.1 + 0.2, 123456789.125, 5e-324, 1.7976931348623157e308}) {
        std::string text;
        JsonWriter(text).number(value);
        EXPECT_EQ(text, nlohmann::json(value).dump()) << value;
        EXPECT_EQ(nlohmann::json::parse(text).get<double>(), value);
    }
    std::string text;
    JsonWriter w(text);
    w.begin_array();
    w.number(std::numeric_limits<std::uint64_t>::max());
    w.number(std::numeric_limits<std::int64_t>::min());
    w.number(static_cast<unsigned>(7));
    w.number(std::numeric_limits<double>::quiet_NaN());
    w.end_array();
    EXPECT_EQ(text, "[18446744073709551615,-9223372036854775808,7,null]");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndReplacesInvalidUtf8) {
    const std::string awkward = std::string("quote \" backslash \\ newline \n tab \t nul ") + '\0' + " é ☃";
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    w.key(awkward);
    w.string(awkward);
    w.key("bytes");
    w.string("\xff\xfe ok");  // not UTF-8: a command line may hold anything
    w.end_object();
    const auto back = nlohmann::json::parse(text);
    EXPECT_EQ(back.at(awkward).get<std::string>(), awkward);
    EXPECT_EQ(back.at("bytes").get<std::string>(), "\xEF\xBF\xBD\xEF\xBF\xBD ok");  // U+FFFD twice
}

// Byte for byte what nlohmann::json writes, for any double (the legacy /query depends on it): a
// deterministic sweep over bit patterns and over the one-decimal values /query writes.
TEST(JsonWriter, EveryDoubleIsWrittenWithNlohmannJsonsBytes) {
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 200000; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        double value = 0;
        if (i % 2 == 0) {
            std::memcpy(&value, &state, sizeof value);
        } else {
            value = static_cast<double>(static_cast<std::int64_t>(state % 20000001) - 10000000) / 10.0;
        }
        std::string text;
        JsonWriter(text).number(value);
        ASSERT_EQ(text, nlohmann::json(value).dump()) << "bits " << state;
    }
}

// An SSE frame sends the API JSON as one "data:" line: no string or key may put a raw line break in it.
TEST(JsonWriter, NeverWritesARawLineBreak) {
    std::string all_bytes;
    for (int byte = 0; byte < 256; ++byte) all_bytes.push_back(static_cast<char>(byte));
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    w.key(all_bytes);
    w.string(all_bytes);
    for (int byte = 0; byte < 256; ++byte) {  // each byte alone among plain text, as key and as value
        const std::string one = std::string("a") + static_cast<char>(byte) + "b";
        w.key(one);
        w.string(one);
    }
    w.end_object();
    EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos) << text;
    EXPECT_TRUE(nlohmann::json::accept(text));
}

}  // namespace
}  // namespace cmon::exporters
