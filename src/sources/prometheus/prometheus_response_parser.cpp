// Prometheus API envelope -> PromResponse. Pure: no I/O. Malformed input never throws out of here: the
// fleet shows "Prometheus answered something we cannot read" rather than crashing or showing nothing.
#include "sources/prometheus/prometheus_response_parser.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

namespace cmon::sources {

namespace {

using nlohmann::json;

struct BadResponse {
    std::string why;
};

PromLabels labels_of(const json& metric) {
    if (!metric.is_object()) throw BadResponse{"a series' labels are not an object"};
    PromLabels labels;
    for (const auto& [name, value] : metric.items()) {
        if (!value.is_string()) throw BadResponse{"label " + name + " is not a string"};
        labels.emplace(name, value.get<std::string>());
    }
    return labels;
}

// [<unix seconds>, "<value>"]
std::pair<double, double> point_of(const json& point) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string()) {
        throw BadResponse{"a sample is not [time, \"value\"]"};
    }
    const auto value = parse_prometheus_value(point[1].get_ref<const std::string&>());
    if (!value) throw BadResponse{"sample value '" + point[1].get<std::string>() + "' is not a number"};
    return {point[0].get<double>(), *value};
}

void read_query_data(const json& data, PromResponse& out) {
    if (!data.is_object()) throw BadResponse{"data is not an object"};
    const auto type = data.find("resultType");
    const auto result = data.find("result");
    if (type == data.end() || !type->is_string() || result == data.end()) {
        throw BadResponse{"data has no resultType or result"};
    }
    out.result_type = type->get<std::string>();
    if (out.result_type == "vector") {
        if (!result->is_array()) throw BadResponse{"vector result is not an array"};
        out.vector.reserve(result->size());
        for (const auto& item : *result) {
            if (!item.is_object() || !item.contains("value")) throw BadResponse{"vector sample without value"};
            const auto [time, value] = point_of(item["value"]);
            out.vector.push_back(PromSample{item.contains("metric") ? labels_of(item["metric"]) : PromLabels{}, time,
                                            value});
        }
    } else if (out.result_type == "matrix") {
        if (!result->is_array()) throw BadResponse{"matrix result is not an array"};
        out.matrix.reserve(result->size());
        for (const auto& item : *result) {
            if (!item.is_object() || !item.contains("values") || !item["values"].is_array()) {
                throw BadResponse{"matrix series without values"};
            }
            PromSeries series{item.contains("metric") ? labels_of(item["metric"]) : PromLabels{}, {}};
            series.values.reserve(item["values"].size());
            for (const auto& point : item["values"]) series.values.push_back(point_of(point));
            out.matrix.push_back(std::move(series));
        }
    } else if (out.result_type == "scalar") {
        const auto [time, value] = point_of(*result);
        out.vector.push_back(PromSample{{}, time, value});
    } else if (out.result_type != "string") {
        throw BadResponse{"unknown resultType '" + out.result_type + "'"};
    }
}

}  // namespace

std::optional<double> parse_prometheus_value(std::string_view text) {
    // Go's strconv.FormatFloat(v, 'f', -1, 64) for finite values; "NaN", "+Inf", "-Inf" otherwise.
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
    if (text == "-Inf") return -std::numeric_limits<double>::infinity();
    if (text.empty() || text.size() > 64) return std::nullopt;
    for (char c : text) {
        const bool ok = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        if (!ok) return std::nullopt;  // no hex floats, no "inf"/"nan" spellings Prometheus never sends
    }
    const std::string copy(text);
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return value;
}

PromResponse parse_prometheus_response(std::string_view body) {
    PromResponse out;
    const json doc = json::parse(body, nullptr, false);
    try {
        if (doc.is_discarded()) throw BadResponse{"not JSON"};
        if (!doc.is_object()) throw BadResponse{"not a JSON object"};
        const auto status = doc.find("status");
        if (status == doc.end() || !status->is_string()) throw BadResponse{"no status"};
        if (const auto warnings = doc.find("warnings"); warnings != doc.end() && warnings->is_array()) {
            for (const auto& w : *warnings) {
                if (w.is_string()) out.warnings.push_back(w.get<std::string>());
            }
        }
        if (*status != "success") {
            out.error_type = doc.value("errorType", std::string("unknown"));
            out.error = doc.value("error", std::string("status ") + status->get<std::string>());
            return out;
        }
        const auto data = doc.find("data");
        if (data == doc.end()) throw BadResponse{"no data"};
        if (data->is_array()) {  // /api/v1/series, /api/v1/labels
            out.result_type = "series";
            for (const auto& item : *data) {
                if (item.is_object()) out.series.push_back(labels_of(item));
            }
        } else {
            read_query_data(*data, out);
        }
        out.success = true;
    } catch (const BadResponse& bad) {
        PromResponse failed;
        failed.error_type = "bad_response";
        failed.error = "unreadable answer: " + bad.why;
        failed.warnings = std::move(out.warnings);
        return failed;
    } catch (const json::exception& e) {
        PromResponse failed;
        failed.error_type = "bad_response";
        failed.error = std::string("unreadable answer: ") + e.what();
        return failed;
    }
    return out;
}

}  // namespace cmon::sources
