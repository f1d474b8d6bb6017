#include "app/source_factory.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/note_source.hpp"
#include "attribution/gpu_attribution_stage.hpp"
#include "sources/docker/container_source.hpp"
#include "sources/docker/container_top.hpp"
#include "sources/docker/engine_name_client.hpp"
#include "sources/gpu/drm/drm_backend.hpp"
#include "sources/gpu/drm/drm_source.hpp"
#include "sources/gpu/gpu_source.hpp"
#include "sources/host/host_source.hpp"
#include "util/error.hpp"

namespace cmon::app {

namespace {

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

// The hostname policy and, where it may need it, Docker's /info name. "auto" trusts only a local daemon
// (unix socket): a remote engine's name is another machine's.
sources::HostSourceOptions host_options(const Config& config, const util::Clock& clock) {
    sources::HostSourceOptions options;
    options.hostname = sources::parse_hostname_policy(config.hostname).value_or(sources::HostnamePolicy{});
    if (options.hostname.mode != sources::HostnamePolicy::Mode::automatic &&
        options.hostname.mode != sources::HostnamePolicy::Mode::docker) {
        return options;
    }
    std::shared_ptr<sources::EngineNameClient> engine;
    try {
        engine = std::make_shared<sources::EngineNameClient>(config.docker_host, clock);
    } catch (const util::Error&) {
        return options;  // an unusable endpoint: the docker source reports it
    }
    if (options.hostname.mode == sources::HostnamePolicy::Mode::docker || engine->local()) {
        options.engine_name = [engine] { return engine->name(); };
    }
    return options;
}

}  // namespace

sources::HostPaths host_paths(const Config& config) {
    sources::HostPaths paths;
    paths.proc = config.proc_root;
    paths.sys = config.sys_root;
    paths.cgroup_root =
        config.cgroup_root.empty() ? paths.sys / "fs" / "cgroup" : std::filesystem::path(config.cgroup_root);
    paths.docker_endpoint = config.docker_host;
    return paths;
}

sampling::SamplerOptions sampler_options(const Config& config) {
    sampling::SamplerOptions options;
    options.interval = to_ms(config.interval_seconds);
    options.idle_pause = to_ms(config.idle_pause_seconds);
    return options;
}

sampling::GpuAccountantOptions accountant_options(const Config& config) {
    sampling::GpuAccountantOptions options;
    options.retention = std::chrono::seconds(static_cast<std::int64_t>(config.history_seconds));
    // A late sample is still an interval; a pause (nobody looking) is not counted.
    options.max_gap = to_ms(config.interval_seconds * 3 + 1.0);
    return options;
}

std::vector<std::unique_ptr<sources::Source>> make_sources(const Config& config, const util::Clock& clock,
                                                           const DescriptorBudget& budget) {
    auto paths = host_paths(config);
    std::vector<std::unique_ptr<sources::Source>> list;
    list.push_back(std::make_unique<sources::HostSource>(paths, host_options(config, clock)));

    sources::ContainerSourceOptions docker_options;
    docker_options.label_allowlist = config.labels;
    // The owner label must reach attribution even when nobody listed it among the labels to show.
    if (!config.owner_label.empty() && std::find(config.labels.begin(), config.labels.end(), config.owner_label) ==
                                           config.labels.end())
        docker_options.label_allowlist.push_back(config.owner_label);
    docker_options.keep_open_files = budget.container_files;
    list.push_back(std::make_unique<sources::ContainerSource>(paths, docker_options, clock));

    sources::GpuSourceOptions gpu_options;
    gpu_options.library_path = config.nvml_library;
    gpu_options.release = config.nvml_release == "never"    ? sources::GpuRelease::never
                          : config.nvml_release == "always" ? sources::GpuRelease::always
                                                            : sources::GpuRelease::paused;
    list.push_back(std::make_unique<sources::GpuSource>(gpu_options, clock));
    // AMD/Intel after NVML: their indices follow the NVIDIA ones.
    list.push_back(std::make_unique<sources::DrmSource>(std::make_unique<sources::DrmBackend>(paths, clock)));

    if (!config.note.empty() || !config.note_file.empty())
        list.push_back(std::make_unique<NoteSource>(config.note, config.note_file));
    return list;
}

std::vector<std::unique_ptr<attribution::Stage>> make_stages(const Config& config, const util::Clock& clock) {
    auto paths = host_paths(config);
    attribution::IdleTrackerOptions idle;
    idle.idle_memory_bytes = static_cast<std::uint64_t>(config.idle_gpu_memory_gib * 1024.0 * 1024.0 * 1024.0);
    idle.idle_after = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::duration<double>(config.idle_gpu_after_seconds));
    // Docker top fallback for GPU pids not under proc_root (no host pid namespace); built here so that
    // attribution/ never depends on sources/docker.
    auto top = std::make_shared<sources::ContainerTopLister>(paths);
    attribution::ContainerPidLister lister = [top](const std::vector<std::string>& ids) { return top->pids(ids); };
    attribution::GpuAttributorOptions attribution_options;
    attribution_options.show_cmdline = config.show_cmdline;
    std::vector<std::unique_ptr<attribution::Stage>> list;
    list.push_back(std::make_unique<attribution::GpuAttributionStage>(
        paths, idle, std::move(lister), clock, attribution_options,
        attribution::OwnerRule{config.owner_label, config.owner_pattern}));
    return list;
}

}  // namespace cmon::app
