// The Prometheus API envelope on literal bodies, as Prometheus 2.x writes them (docs: querying/api).
#include "sources/prometheus/prometheus_response_parser.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cmon::sources {
namespace {

TEST(PrometheusResponseParser, VectorWithLabelsAndValues) {
    const auto r = parse_prometheus_response(R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"up","instance":"a:727","job":"container-monitor"},"value":[1700000000.123,"1"]},
        {"metric":{"instance":"b:727"},"value":[1700000000.123,"0"]}]}})");
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.result_type, "vector");
    ASSERT_EQ(r.vector.size(), 2u);
    EXPECT_EQ(r.vector[0].labels.at("__name__"), "up");
    EXPECT_EQ(r.vector[0].labels.at("instance"), "a:727");
    EXPECT_DOUBLE_EQ(r.vector[0].timestamp, 1700000000.123);
    EXPECT_EQ(r.vector[0].value, 1);
    EXPECT_EQ(r.vector[1].value, 0);
}

TEST(PrometheusResponseParser, SpecialValuesAreKept) {
    const auto r = parse_prometheus_response(R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"a":"1"},"value":[1,"NaN"]},{"metric":{"a":"2"},"value":[1,"+Inf"]},
        {"metric":{"a":"3"},"value":[1,"-Inf"]},{"metric":{"a":"4"},"value":[1,"1.5e+09"]}]}})");
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.vector.size(), 4u);
    EXPECT_TRUE(std::isnan(r.vector[0].value));
    EXPECT_TRUE(std::isinf(r.vector[1].value) && r.vector[1].value > 0);
    EXPECT_TRUE(std::isinf(r.vector[2].value) && r.vector[2].value < 0);
    EXPECT_EQ(r.vector[3].value, 1.5e9);
}

TEST(PrometheusResponseParser, ErrorEnvelopeWithWarnings) {
    const auto r = parse_prometheus_response(
        R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <EOF>","warnings":["w1"]})");
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error_type, "bad_data");
    EXPECT_EQ(r.error, "1:5: parse error: unexpected <EOF>");
    EXPECT_EQ(r.warnings, std::vector<std::string>{"w1"});
}

TEST(PrometheusResponseParser, TimeoutEnvelope) {
    const auto r = parse_prometheus_response(
        R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})");
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error_type, "timeout");
}

TEST(PrometheusResponseParser, WarningsOnSuccessAreKept) {
    const auto r = parse_prometheus_response(
        R"({"status":"success","warnings":["partial response: store b down"],"data":{"resultType":"vector","result":[]}})");
    ASSERT_TRUE(r.success);
    EXPECT_TRUE(r.vector.empty());
    EXPECT_EQ(r.warnings.size(), 1u);
}

TEST(PrometheusResponseParser, MatrixScalarAndSeries) {
    const auto m = parse_prometheus_response(R"({"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"x":"y"},"values":[[10,"1"],[20,"2.5"]]}]}})");
    ASSERT_TRUE(m.success) << m.error;
    ASSERT_EQ(m.matrix.size(), 1u);
    ASSERT_EQ(m.matrix[0].values.size(), 2u);
    EXPECT_EQ(m.matrix[0].values[1].first, 20);
    EXPECT_EQ(m.matrix[0].values[1].second, 2.5);

    const auto s = parse_prometheus_response(R"({"status":"success","data":{"resultType":"scalar","result":[5,"42"]}})");
    ASSERT_TRUE(s.success) << s.error;
    ASSERT_EQ(s.vector.size(), 1u);
    EXPECT_EQ(s.vector[0].value, 42);

    const auto series = parse_prometheus_response(
        R"({"status":"success","data":[{"__name__":"up","job":"j"},{"__name__":"up","job":"k"}]})");
    ASSERT_TRUE(series.success) << series.error;
    EXPECT_EQ(series.result_type, "series");
    ASSERT_EQ(series.series.size(), 2u);
    EXPECT_EQ(series.series[1].at("job"), "k");
}

TEST(PrometheusResponseParser, MalformedBodiesAreBadResponsesNotCrashes) {
    for (const char* body : {"", "not json", "[]", "{}", R"({"status":"success"})",
                             R"({"status":"success","data":{"resultType":"vector","result":{}}})",
                             R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})",
                             R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}})",
                             R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"abc"]}]}})",
                             R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}})",
                             R"({"status":"success","data":{"resultType":"histogram","result":[]}})",
                             "<html>502 Bad Gateway</html>"}) {
        const auto r = parse_prometheus_response(body);
        EXPECT_FALSE(r.success) << body;
        EXPECT_EQ(r.error_type, "bad_response") << body;
        EXPECT_FALSE(r.error.empty()) << body;
    }
}

TEST(PrometheusResponseParser, ValueSpellings) {
    EXPECT_EQ(parse_prometheus_value("0"), 0.0);
    EXPECT_EQ(parse_prometheus_value("-2.5"), -2.5);
    EXPECT_EQ(parse_prometheus_value("1e-3"), 1e-3);
    EXPECT_FALSE(parse_prometheus_value(""));
    EXPECT_FALSE(parse_prometheus_value("0x10"));
    EXPECT_FALSE(parse_prometheus_value("nan"));
    EXPECT_FALSE(parse_prometheus_value("1.5 "));
    EXPECT_FALSE(parse_prometheus_value("1..2"));
}

}  // namespace
}  // namespace cmon::sources
