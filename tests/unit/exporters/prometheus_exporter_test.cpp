#include "exporters/prometheus_exporter.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "exporters/metric_table.hpp"
#include "unit/exporters/golden_snapshot.hpp"

namespace cmon::exporters {
namespace {

using testing::golden_snapshot;
using testing::kGiB;

PrometheusOptions golden_options() { return {"0.1.0-test", "", false, &testing::golden_accounting()}; }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names, without ':' for label names (hand-written: g++ 12 warns
// inside <regex> under the sanitizers).
bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  (allow_colon && c == ':');
        if (!ok) return false;
    }
    return true;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

struct CommandResult {
    int exit_code;
    std::string output;
};

CommandResult run_shell(const std::string& command) {
    CommandResult result{-1, ""};
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

TEST(PrometheusEscaping, LabelValues) {
    struct Case {
        std::string in;
        std::string out;
    };
    const Case cases[] = {
        {"", ""},
        {"plain", "plain"},
        {R"(back\slash)", R"(back\\slash)"},
        {R"(say "hi")", R"(say \"hi\")"},
        {"two\nlines", R"(two\nlines)"},
        {"tab\tstays", "tab\tstays"},
        {"\\\"\n", R"(\\\"\n)"},
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},  // valid UTF-8
        {"bad\xFF"
         "byte",
         "bad\xEF\xBF\xBD"
         "byte"},
        {"cut\xE2\x82", "cut\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"overlong\xC0\xAF", "overlong\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"surrogate\xED\xA0\x80", "surrogate\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    };
    for (const auto& c : cases) EXPECT_EQ(escape_label_value(c.in), c.out) << c.in;
}

TEST(PrometheusEscaping, HelpText) {
    EXPECT_EQ(escape_help("plain text."), "plain text.");
    EXPECT_EQ(escape_help(R"(a\b)"), R"(a\\b)");
    EXPECT_EQ(escape_help("one\ntwo"), R"(one\ntwo)");
    EXPECT_EQ(escape_help(R"(quotes "stay")"), R"(quotes "stay")");
}

TEST(PrometheusValues, SpecialAndExactNumbers) {
    EXPECT_EQ(format_sample_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_sample_value(0.0), "0");
    EXPECT_EQ(format_sample_value(-0.0), "0");
    EXPECT_EQ(format_sample_value(1.0), "1");
    EXPECT_EQ(format_sample_value(-3.0), "-3");
    EXPECT_EQ(format_sample_value(1e9), "1000000000");
    EXPECT_EQ(format_sample_value(123456789012.0), "123456789012");
    EXPECT_EQ(format_sample_value(9007199254740991.0), "9007199254740991");  // 2^53 - 1
    EXPECT_EQ(format_sample_value(0.5), "0.5");
    EXPECT_EQ(format_sample_value(245.123), "245.123");
    EXPECT_EQ(format_sample_value(1234.567890123), "1234.567890123");
    EXPECT_EQ(std::stod(format_sample_value(1e300)), 1e300);
    EXPECT_EQ(std::stod(format_sample_value(1e-7)), 1e-7);
}

TEST(MetricTable, NamesTypesAndLabelsFollowTheRules) {
    std::set<std::string_view> seen;
    for (const auto& spec : metric_table()) {
        SCOPED_TRACE(std::string(spec.name));
        EXPECT_TRUE(valid_name(spec.name, true));
        EXPECT_TRUE(seen.insert(spec.name).second) << "duplicate metric";
        bool total = spec.name.ends_with("_total");
        EXPECT_EQ(spec.type == MetricType::counter, total) << "counters, and only counters, end in _total";
        EXPECT_FALSE(spec.help.empty());
        std::set<std::string_view> labels;
        for (auto label : spec.labels) {
            EXPECT_TRUE(valid_name(label, false)) << label;
            EXPECT_FALSE(label.starts_with("__")) << label;
            EXPECT_TRUE(labels.insert(label).second) << "duplicate label " << label;
        }
    }
}

TEST(MetricTable, UnknownLabelIsATableBug) {
    model::Snapshot s;
    PrometheusOptions options;
    MetricContext context(s, options);
    EXPECT_THROW(label_value(model::ContainerStats{}, "nope", context), std::logic_error);
    EXPECT_THROW(label_value(s, "gpu", context), std::logic_error);
}

TEST(MetricTable, EveryMetricIsDocumented) {
    std::ifstream file(std::string(CMON_GOLDEN_DIR) + "/../../docs/metrics.md");
    ASSERT_TRUE(file) << "docs/metrics.md is missing";
    std::ostringstream docs;
    docs << file.rdbuf();
    for (const auto& spec : metric_table())
        EXPECT_NE(docs.str().find("`" + std::string(spec.name) + "`"), std::string::npos)
            << spec.name << " is not in docs/metrics.md";
}

TEST(PrometheusExporter, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
    std::string text = to_prometheus(golden_snapshot(), golden_options());
    std::string family;
    for (const auto& line : lines_of(text)) {
        if (line.rfind("# HELP ", 0) == 0) {
            family = line.substr(7, line.find(' ', 7) - 7);
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            EXPECT_EQ(line.substr(7, family.size() + 1), family + " ") << line;
            continue;
        }
        ASSERT_FALSE(family.empty()) << line;
        EXPECT_EQ(line.rfind(family, 0), 0u) << "sample outside its family: " << line;
    }
    EXPECT_EQ(text.back(), '\n');
}

TEST(PrometheusExporter, AbsentValuesOmitTheSampleNeverZero) {
    model::Snapshot s;
    model::ContainerStats bare;
    bare.id = "abc";
    bare.name = "bare";
    s.containers.push_back(bare);
    model::GpuDevice lost;
    lost.index = 3;
    lost.uuid = "GPU-lost";
    lost.lost = true;
    s.gpus.push_back(lost);
    model::GpuProcess process;
    process.pid = 7;
    process.gpu_index = 3;
    process.container_id = "abc";
    s.gpu_processes.push_back(process);
    std::string text = to_prometheus(s, {});

    for (const char* absent :
         {"container_cpu_usage_seconds_total", "container_memory_usage_bytes", "container_spec_memory_limit_bytes",
          "container_network_receive_bytes_total", "container_processes", "cmon_container_gpu_memory_bytes",
          "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE", "cmon_gpu_process_memory_bytes",
          "cmon_gpu_process_sm_percent", "cmon_gpu_process_idle_since_seconds", "cmon_host_cpu_busy_percent",
          "cmon_host_load1"}) {
        EXPECT_EQ(text.find(absent), std::string::npos) << absent << " in:\n" << text;
    }
    EXPECT_NE(text.find("\ncontainer_last_seen{id=\"/docker/abc\",name=\"bare\",image=\"\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("\ncmon_gpu_lost{gpu=\"3\",UUID=\"GPU-lost\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("\ncmon_gpu_process_idle{pid=\"7\",gpu=\"3\",container=\"bare\",container_id=\"abc\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("\ncmon_build_info{version=\"\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("\ncmon_collection_paused 0\n"), std::string::npos);
}

TEST(PrometheusExporter, UnlimitedMemoryIsZeroAsInCadvisor) {
    model::Snapshot s;
    model::ContainerStats c;
    c.id = "abc";
    c.memory_usage_bytes = 5 * kGiB;
    s.containers.push_back(c);
    std::string text = to_prometheus(s, {});
    EXPECT_NE(text.find("\ncontainer_spec_memory_limit_bytes{id=\"/docker/abc\",name=\"\",image=\"\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("\ncontainer_memory_usage_bytes{id=\"/docker/abc\",name=\"\",image=\"\"} 5368709120\n"),
              std::string::npos);
    // No GPU process at all: the container holds 0 bytes of GPU memory (a fact, not a missing value).
    EXPECT_NE(text.find("\ncmon_container_gpu_memory_bytes{id=\"/docker/abc\",name=\"\",image=\"\"} 0\n"),
              std::string::npos);
}

TEST(PrometheusExporter, EscapesLabelValuesInTheOutput) {
    model::Snapshot s;
    model::GpuDevice gpu;
    gpu.name = "Quoted \"GPU\" \\ model\nline2";
    gpu.utilization_percent = 5;
    s.gpus.push_back(gpu);
    std::string text = to_prometheus(s, {"v", "node \"a\"", false});
    EXPECT_NE(text.find(R"(DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="",device="nvidia0",)"
                        R"(modelName="Quoted \"GPU\" \\ model\nline2",Hostname="node \"a\""} 5)"),
              std::string::npos)
        << text;
}

TEST(PrometheusExporter, HostnameLabelFallsBackToTheSnapshotsHostname) {
    model::Snapshot s = golden_snapshot();
    EXPECT_NE(to_prometheus(s, {}).find(R"(Hostname="2gpu-3")"), std::string::npos);
    EXPECT_EQ(to_prometheus(s, {"", "dgx-a", false}).find(R"(Hostname="2gpu-3")"), std::string::npos);
    EXPECT_NE(to_prometheus(s, {"", "dgx-a", true}).find("\ncmon_collection_paused 1\n"), std::string::npos);
}

TEST(PrometheusExporter, DcgmUnits) {
    std::string text = to_prometheus(golden_snapshot(), golden_options());
    const std::string gpu0 = R"({gpu="0",UUID="GPU-9a8b7c6d-0000-1111-2222-333344445555",device="nvidia0",)"
                             R"(modelName="NVIDIA A100-SXM4-80GB",Hostname="2gpu-3"})";
    EXPECT_NE(text.find("DCGM_FI_DEV_FB_USED" + gpu0 + " 10752\n"), std::string::npos);  // MiB, truncated
    // total - used - reserved (512 MiB), never total - used
    EXPECT_NE(text.find("DCGM_FI_DEV_FB_FREE" + gpu0 + " 70655\n"), std::string::npos);
    EXPECT_NE(text.find("DCGM_FI_DEV_FB_TOTAL" + gpu0 + " 81920\n"), std::string::npos);
    EXPECT_NE(text.find("DCGM_FI_DEV_POWER_USAGE" + gpu0 + " 245.123\n"), std::string::npos);  // W
}

TEST(PrometheusExporter, MatchesGolden) {
    testing::expect_matches_golden("metrics.prom", to_prometheus(golden_snapshot(), golden_options()));
}

// dcgm-exporter's camelCase label names kept as they are so its Grafana dashboards work unchanged
// (docs/metrics.md, "promtool and dcgm-exporter's label names").
bool is_camel_case(std::string_view label) {
    for (std::size_t i = 1; i < label.size(); ++i)
        if (label[i - 1] >= 'a' && label[i - 1] <= 'z' && label[i] >= 'A' && label[i] <= 'Z') return true;
    return false;
}

TEST(MetricTable, TheOnlyCamelCaseLabelIsDcgmExportersModelName) {
    for (const auto& spec : metric_table()) {
        for (auto label : spec.labels) {
            if (!is_camel_case(label)) continue;
            EXPECT_EQ(label, "modelName") << spec.name;
            EXPECT_TRUE(spec.name.starts_with("DCGM_FI_DEV_")) << spec.name << " borrows a dcgm-exporter label";
        }
    }
}

// tests/integration/prometheus checks deploy/grafana against the golden file's families: it must hold
// every row of the table.
TEST(MetricTable, GoldenOutputHasEveryFamily) {
    std::string text = to_prometheus(golden_snapshot(), golden_options());
    for (const auto& spec : metric_table()) {
        std::string type_line = "# TYPE " + std::string(spec.name) + " ";
        EXPECT_NE(text.find(type_line), std::string::npos) << spec.name << " has no sample in the golden snapshot";
    }
}

// promtool (Debian 12: 2.42) lints label names, and `check metrics` has no flag to turn lints off (only
// `check config`/`check rules` take --lint). dcgm-exporter's own "modelName" draws "label names should be
// written in 'snake_case' not 'camelCase'" once per sample, and exit code 3, exactly as real dcgm-exporter
// output does. We keep the label (docs/metrics.md), so:
//  - the output with that one label renamed passes with exit 0 and no message at all;
//  - the real output exits 0 or 3 and every message is that lint on a family whose labels include a
//    camelCase label, one per such sample; no other message.
TEST(PrometheusExporter, PromtoolAcceptsTheOutput) {
    if (run_shell("command -v promtool >/dev/null 2>&1").exit_code != 0)
        FAIL() << "promtool is not on the PATH: install Debian's 'prometheus' package "
                  "(scripts/install-deps.sh does); this check must not be skipped";
    std::string text = to_prometheus(golden_snapshot(), golden_options());
    std::string path = ::testing::TempDir() + "cmon_metrics_" + std::to_string(::getpid()) + ".prom";

    std::string renamed = replace_all(text, "modelName=", "model_name=");
    std::ofstream(path, std::ios::binary) << renamed;
    CommandResult clean = run_shell("promtool check metrics < '" + path + "' 2>&1");
    EXPECT_EQ(clean.exit_code, 0) << clean.output;
    EXPECT_EQ(clean.output, "");

    std::ofstream(path, std::ios::binary) << text;
    CommandResult real = run_shell("promtool check metrics < '" + path + "' 2>&1");
    std::remove(path.c_str());
    EXPECT_TRUE(real.exit_code == 0 || real.exit_code == 3) << real.exit_code << "\n" << real.output;

    std::set<std::string> camel_families;
    for (const auto& spec : metric_table())
        for (auto label : spec.labels)
            if (is_camel_case(label)) camel_families.insert(std::string(spec.name));
    std::map<std::string, int> expected;  // family -> samples carrying the camelCase label
    for (const auto& line : lines_of(text)) {
        if (line.starts_with("#")) continue;
        std::string family = line.substr(0, line.find_first_of("{ "));
        if (camel_families.contains(family)) ++expected[family];
    }
    ASSERT_FALSE(expected.empty()) << "the golden snapshot has GPUs, so modelName is in the output";

    const std::string known = " label names should be written in 'snake_case' not 'camelCase'";
    std::map<std::string, int> complaints;
    for (const auto& line : lines_of(real.output)) {
        if (!line.ends_with(known)) {
            ADD_FAILURE() << "unexpected promtool problem: " << line;
            continue;
        }
        std::string family = line.substr(0, line.size() - known.size());
        EXPECT_TRUE(camel_families.contains(family)) << "camelCase lint on a family without one: " << line;
        ++complaints[family];
    }
    if (real.exit_code == 3) {
        EXPECT_EQ(complaints, expected) << real.output;
    } else {
        EXPECT_TRUE(complaints.empty()) << real.output;
    }
}

}  // namespace
}  // namespace cmon::exporters
