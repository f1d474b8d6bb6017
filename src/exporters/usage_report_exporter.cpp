// UsageReport -> table / CSV / JSON. Pure: no I/O.
#include "exporters/usage_report_exporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace cmon::exporters {

namespace {

std::vector<std::string> key_columns(const std::string& by) {
    if (by == "container") return {"server", "container", "owner"};
    if (by == "server") return {"server"};
    return {"owner"};
}

std::vector<std::string> key_values(const model::UsageRow& row, const std::string& by) {
    if (by == "container") return {row.server, row.container, row.owner};
    if (by == "server") return {row.server};
    return {row.owner};
}

std::string hours(const std::optional<double>& seconds, const char* format) {
    return seconds ? fmt::format(fmt::runtime(format), *seconds / 3600.0) : std::string();
}

std::string efficiency(const model::LabGpuSeconds& s, const char* format) {
    if (!s.held || !s.busy || *s.held <= 0) return {};
    return fmt::format(fmt::runtime(format), 100.0 * *s.busy / *s.held);
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string to_report_table(const model::UsageReport& report) {
    std::vector<std::string> header = key_columns(report.by);
    for (const char* h : {"GPU-h held", "GPU-h busy", "GPU-h idle-held", "efficiency"}) header.emplace_back(h);
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : report.rows) {
        auto cells = key_values(row, report.by);
        cells.push_back(hours(row.seconds.held, "{:.2f}"));
        cells.push_back(hours(row.seconds.busy, "{:.2f}"));
        cells.push_back(hours(row.seconds.idle_held, "{:.2f}"));
        cells.push_back(efficiency(row.seconds, "{:.0f}%"));
        for (auto& c : cells) {
            if (c.empty()) c = "-";
        }
        rows.push_back(std::move(cells));
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) {
        width[i] = header[i].size();
        for (const auto& r : rows) width[i] = std::max(width[i], r[i].size());
    }
    const std::size_t keys = key_columns(report.by).size();
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) out += "  ";
            out += i < keys ? fmt::format("{:<{}}", cells[i], width[i]) : fmt::format("{:>{}}", cells[i], width[i]);
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = fmt::format("GPU-hours by {} over the last {} (to {:.0f})\n", report.by,
                                  report.window_seconds % 86400 == 0 ? fmt::format("{} d", report.window_seconds / 86400)
                                                                     : fmt::format("{} s", report.window_seconds),
                                  report.end_unix);
    out += line(header);
    for (const auto& r : rows) out += line(r);
    if (report.rows.empty()) out += "(no GPU accounting series in this window)\n";
    return out;
}

std::string to_report_csv(const model::UsageReport& report) {
    std::vector<std::string> header = key_columns(report.by);
    for (const char* h : {"gpu_hours_held", "gpu_hours_busy", "gpu_hours_idle_held", "efficiency_percent"}) {
        header.emplace_back(h);
    }
    std::string out;
    for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + header[i];
    out += "\r\n";
    for (const auto& row : report.rows) {
        auto cells = key_values(row, report.by);
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_field(cells[i]);
        line += "," + hours(row.seconds.held, "{:.4f}") + "," + hours(row.seconds.busy, "{:.4f}") + "," +
                hours(row.seconds.idle_held, "{:.4f}") + "," + efficiency(row.seconds, "{:.1f}");
        out += line + "\r\n";
    }
    return out;
}

std::string to_report_json(const model::UsageReport& report) {
    using nlohmann::json;
    json out = {{"by", report.by}, {"window_seconds", report.window_seconds}, {"end_unix", report.end_unix},
                {"rows", json::array()}};
    for (const auto& row : report.rows) {
        json r = json::object();
        const auto names = key_columns(report.by);
        const auto values = key_values(row, report.by);
        for (std::size_t i = 0; i < names.size(); ++i) r[names[i]] = values[i];
        if (row.seconds.held) r["held_seconds"] = *row.seconds.held;
        if (row.seconds.busy) r["busy_seconds"] = *row.seconds.busy;
        if (row.seconds.idle_held) r["idle_held_seconds"] = *row.seconds.idle_held;
        if (row.seconds.held && row.seconds.busy && *row.seconds.held > 0) {
            r["efficiency"] = *row.seconds.busy / *row.seconds.held;
        }
        out["rows"].push_back(std::move(r));
    }
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace cmon::exporters
