// Parses the JSON envelope of Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
// {"status":"success"|"error","data":...,"errorType":...,"error":...,"warnings":[...]}, with data of
// resultType vector / matrix / scalar / string for queries, or an array of label sets for /api/v1/series.
// Sample values are strings ("1.5", "NaN", "+Inf", "-Inf") and are kept as doubles, NaN included.
// Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cmon::sources {

using PromLabels = std::map<std::string, std::string>;

struct PromSample {
    PromLabels labels;  // "__name__" included when Prometheus keeps it
    double timestamp = 0;  // unix seconds
    double value = 0;      // may be NaN or ±Inf
};

struct PromSeries {
    PromLabels labels;
    std::vector<std::pair<double, double>> values;  // (unix seconds, value)
};

struct PromResponse {
    bool success = false;
    std::string error_type;  // "bad_data", "timeout", "execution", ...; "bad_response" for what we cannot read
    std::string error;
    std::vector<std::string> warnings;
    std::string result_type;  // "vector", "matrix", "scalar", "string"; "series" for /api/v1/series
    std::vector<PromSample> vector;  // vector, and scalar as one sample without labels
    std::vector<PromSeries> matrix;
    std::vector<PromLabels> series;  // /api/v1/series
};

// Never throws: a body that is not the API's envelope comes back with success = false, error_type
// "bad_response" and a message saying what was wrong.
PromResponse parse_prometheus_response(std::string_view body);

// "1.5", "NaN", "+Inf", "-Inf", "1e3" -> double; nullopt for anything else.
std::optional<double> parse_prometheus_value(std::string_view text);

}  // namespace cmon::sources
