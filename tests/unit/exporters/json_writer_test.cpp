// JsonWriter: the text it appends is JSON that reads back as what was written, numbers as nlohmann::json
// writes them.
#include "exporters/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
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
    // (Between 1e15 and 1e16 the two differ in form only: "1000000000000000.0" here, "1e+15" there.)
    for (const double value : {0.0, 50.0, 12.3, -0.5, 12345678901234.0, 1e16, 1e21, 1e-5, 0.1 + 0.2, 123456789.125}) {
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

}  // namespace
}  // namespace cmon::exporters
