// The one table of Prometheus metric specs: name, type, unit, label names, help and an accessor.
// Adding a metric is one row in metric_table.cpp; prometheus_exporter.cpp renders any row.
// Pure: accessors read only their subject and the MetricContext.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "exporters/prometheus_exporter.hpp"
#include "model/snapshot.hpp"

namespace cmon::exporters {

enum class MetricType { gauge, counter };

// One network interface of a container (cAdvisor's `interface` label). `interface` is null for a container
// whose traffic is known only summed (the Docker stats API fallback): label "", bytes only.
struct InterfaceRow {
    const model::ContainerStats* container = nullptr;
    const model::NetworkInterface* interface = nullptr;
};

// One container on one GPU in the accounting report: the subject of the GPU-seconds counters.
struct AccountRow {
    const model::ContainerAccount* container = nullptr;
    const model::GpuAccount* gpu = nullptr;
};

// One engine class (the driver's name: amdgpu "gfx", i915 "render", xe "rcs"...) of one GPU process: the
// subject of the per-engine process series. Only processes whose driver reports engines (DRM) have rows.
struct ProcessEngineRow {
    const model::GpuProcess* process = nullptr;
    const std::string* engine = nullptr;
    double percent = 0;
};

// One engine class of one GPU summed over a container's processes on that GPU.
struct ContainerEngineRow {
    const model::ContainerStats* container = nullptr;
    unsigned gpu = 0;
    std::string engine;
    double ratio = 0;  // 0-1
};

// Everything a row may look at besides its subject, built once per exposition.
class MetricContext {
public:
    MetricContext(const model::Snapshot& snapshot, const PrometheusOptions& options);

    const model::Snapshot& snapshot() const { return snapshot_; }
    const PrometheusOptions& options() const { return options_; }
    const model::ContainerStats* container(const std::string& id) const;
    // Sum of the container's GPU processes' memory: 0 without processes, empty if none reports memory.
    std::optional<std::uint64_t> container_gpu_memory(const std::string& id) const;
    // Sum of the container's GPU processes' busy share (sm_percent / 100): 0 without processes, empty if none
    // of its processes reports a rate yet.
    std::optional<double> container_gpu_utilization(const std::string& id) const;
    // Every (container, GPU) of options().accounting; empty without one.
    const std::vector<AccountRow>& account_rows() const { return account_rows_; }
    const std::vector<InterfaceRow>& interface_rows() const { return interface_rows_; }
    const std::vector<ProcessEngineRow>& process_engine_rows() const { return process_engine_rows_; }
    const std::vector<ContainerEngineRow>& container_engine_rows() const { return container_engine_rows_; }

private:
    const model::Snapshot& snapshot_;
    const PrometheusOptions& options_;
    std::map<std::string, const model::ContainerStats*> containers_;
    std::map<std::string, std::optional<std::uint64_t>> gpu_memory_;
    std::map<std::string, std::optional<double>> gpu_utilization_;
    std::vector<AccountRow> account_rows_;
    std::vector<InterfaceRow> interface_rows_;
    std::vector<ProcessEngineRow> process_engine_rows_;
    std::vector<ContainerEngineRow> container_engine_rows_;
};

// A row's accessor, typed by what the row is about: the snapshot itself (one sample) or one sample per
// container, GPU, GPU process, filesystem or source. An empty value omits the sample (missing is not 0).
template <class Subject>
using ValueOf = std::optional<double> (*)(const Subject&, const MetricContext&);
using MetricAccessor =
    std::variant<ValueOf<model::Snapshot>, ValueOf<model::ContainerStats>, ValueOf<model::GpuDevice>,
                 ValueOf<model::GpuProcess>, ValueOf<model::Filesystem>, ValueOf<model::SourceHealth>,
                 ValueOf<AccountRow>, ValueOf<InterfaceRow>, ValueOf<ProcessEngineRow>,
                 ValueOf<ContainerEngineRow>>;

struct MetricSpec {
    std::string_view name;
    MetricType type;
    std::string_view unit;  // for docs/metrics.md; the 0.0.4 text format has no unit line
    std::vector<std::string_view> labels;
    std::string_view help;
    MetricAccessor value;
};

const std::vector<MetricSpec>& metric_table();

// MIG slices, rendered inside the GPU family of the same name (as dcgm-exporter does): the parent's labels
// plus GPU_I_PROFILE and GPU_I_ID.
struct MigSubject {
    const model::GpuDevice& gpu;
    const model::MigDevice& mig;
};
struct MigMetricSpec {
    std::string_view name;  // a GPU row's name in metric_table()
    std::optional<double> (*value)(const MigSubject&, const MetricContext&);
};
const std::vector<MigMetricSpec>& mig_metric_table();
inline constexpr std::string_view kMigLabels[] = {"GPU_I_PROFILE", "GPU_I_ID"};
std::string label_value(const MigSubject& subject, std::string_view label, const MetricContext& context);

// The value of `label` for a subject; throws std::logic_error for a label the subject does not have
// (a table bug, caught by the tests that render every row).
std::string label_value(const model::Snapshot& subject, std::string_view label, const MetricContext& context);
std::string label_value(const model::ContainerStats& subject, std::string_view label, const MetricContext& context);
std::string label_value(const model::GpuDevice& subject, std::string_view label, const MetricContext& context);
std::string label_value(const model::GpuProcess& subject, std::string_view label, const MetricContext& context);
std::string label_value(const model::Filesystem& subject, std::string_view label, const MetricContext& context);
std::string label_value(const model::SourceHealth& subject, std::string_view label, const MetricContext& context);
std::string label_value(const AccountRow& subject, std::string_view label, const MetricContext& context);
std::string label_value(const InterfaceRow& subject, std::string_view label, const MetricContext& context);
std::string label_value(const ProcessEngineRow& subject, std::string_view label, const MetricContext& context);
std::string label_value(const ContainerEngineRow& subject, std::string_view label, const MetricContext& context);

}  // namespace cmon::exporters
