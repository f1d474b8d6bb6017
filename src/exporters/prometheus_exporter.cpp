// Renders metric_table() in the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): # HELP and # TYPE per family, one line
// per sample, families without samples left out. Pure: no I/O.
#include "exporters/prometheus_exporter.hpp"

#include <cmath>
#include <fmt/format.h>
#include <iterator>
#include <span>
#include <variant>

#include "exporters/metric_table.hpp"

namespace cmon::exporters {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid, as Prometheus' Go parser says).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || lead == 0xC0 || lead == 0xC1 || i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    unsigned char second = byte(i + 1);
    if (lead == 0xE0 && second < 0xA0) return 0;   // overlong
    if (lead == 0xED && second >= 0xA0) return 0;  // surrogate
    if (lead == 0xF0 && second < 0x90) return 0;   // overlong
    if (lead == 0xF4 && second >= 0x90) return 0;  // past U+10FFFF
    return length;
}

std::span<const model::Snapshot> subjects_of(const model::Snapshot& s, const model::Snapshot*) { return {&s, 1}; }
std::span<const model::ContainerStats> subjects_of(const model::Snapshot& s, const model::ContainerStats*) {
    return s.containers;
}
std::span<const model::GpuDevice> subjects_of(const model::Snapshot& s, const model::GpuDevice*) { return s.gpus; }
std::span<const model::GpuProcess> subjects_of(const model::Snapshot& s, const model::GpuProcess*) {
    return s.gpu_processes;
}
std::span<const model::Filesystem> subjects_of(const model::Snapshot& s, const model::Filesystem*) {
    return s.host.filesystems;
}
std::span<const model::SourceHealth> subjects_of(const model::Snapshot& s, const model::SourceHealth*) {
    return s.sources;
}

std::span<const AccountRow> subjects_of(const MetricContext& x, const AccountRow*) { return x.account_rows(); }
std::span<const InterfaceRow> subjects_of(const MetricContext& x, const InterfaceRow*) { return x.interface_rows(); }
std::span<const ProcessEngineRow> subjects_of(const MetricContext& x, const ProcessEngineRow*) {
    return x.process_engine_rows();
}
std::span<const ContainerEngineRow> subjects_of(const MetricContext& x, const ContainerEngineRow*) {
    return x.container_engine_rows();
}
template <class Subject>
auto subjects_of(const MetricContext& x, const Subject* tag) {
    return subjects_of(x.snapshot(), tag);
}

// dcgm-exporter's names describe NVIDIA GPUs only (its dashboards assume NVML's fields): other vendors get the
// vendor-neutral cmon_gpu_* series instead.
template <class Subject>
bool applies_to(const MetricSpec&, const Subject&) {
    return true;
}
bool applies_to(const MetricSpec& spec, const model::GpuDevice& gpu) {
    return gpu.vendor == "nvidia" || !spec.name.starts_with("DCGM_");
}

template <class Subject>
void append_samples(std::string& out, const MetricSpec& spec, ValueOf<Subject> accessor, const MetricContext& context) {
    for (const Subject& subject : subjects_of(context, static_cast<const Subject*>(nullptr))) {
        if (!applies_to(spec, subject)) continue;
        std::optional<double> value = accessor(subject, context);
        if (!value) continue;
        out += spec.name;
        if (!spec.labels.empty()) {
            char separator = '{';
            for (std::string_view label : spec.labels) {
                out += separator;
                out += label;
                out += "=\"";
                out += escape_label_value(label_value(subject, label, context));
                out += '"';
                separator = ',';
            }
            out += '}';
        }
        out += ' ';
        out += format_sample_value(*value);
        out += '\n';
    }
}

// MIG slices of every GPU into the family `spec` (a GPU row), labelled as dcgm-exporter labels them.
void append_mig_samples(std::string& out, const MetricSpec& spec, const MetricContext& context) {
    if (!std::holds_alternative<ValueOf<model::GpuDevice>>(spec.value)) return;
    for (const MigMetricSpec& mig_spec : mig_metric_table()) {
        if (mig_spec.name != spec.name) continue;
        for (const model::GpuDevice& gpu : context.snapshot().gpus) {
            for (const model::MigDevice& mig : gpu.mig_devices) {
                const MigSubject subject{gpu, mig};
                std::optional<double> value = mig_spec.value(subject, context);
                if (!value) continue;
                out += spec.name;
                char separator = '{';
                auto append_label = [&](std::string_view label) {
                    out += separator;
                    out += label;
                    out += "=\"";
                    out += escape_label_value(label_value(subject, label, context));
                    out += '"';
                    separator = ',';
                };
                for (std::string_view label : spec.labels) append_label(label);
                for (std::string_view label : kMigLabels) append_label(label);
                out += "} ";
                out += format_sample_value(*value);
                out += '\n';
            }
        }
    }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        char c = value[i];
        std::size_t length = utf8_sequence_length(value, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD: one bad byte must not make the whole scrape fail
            ++i;
            continue;
        }
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out.append(value.substr(i, length));
        i += length;
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_sample_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Byte counts and timestamps print as exact integers, never as 1.2e+09.
    constexpr double kExact = 9007199254740992.0;  // 2^53
    if (value == std::trunc(value) && std::fabs(value) < kExact)
        return fmt::format("{}", static_cast<std::int64_t>(value));
    return fmt::format("{}", value);  // shortest text that reads back as the same double
}

std::string to_prometheus(const model::Snapshot& snapshot, const PrometheusOptions& options) {
    MetricContext context(snapshot, options);
    std::string out;
    out.reserve(256 + 160 * (snapshot.containers.size() + snapshot.gpus.size() + snapshot.gpu_processes.size()) * 8);
    std::string samples;
    for (const MetricSpec& spec : metric_table()) {
        samples.clear();
        std::visit([&](auto accessor) { append_samples(samples, spec, accessor, context); }, spec.value);
        append_mig_samples(samples, spec, context);
        if (samples.empty()) continue;
        fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", spec.name, escape_help(spec.help),
                       spec.name, spec.type == MetricType::counter ? "counter" : "gauge");
        out += samples;
    }
    return out;
}

}  // namespace cmon::exporters
