// GpuSource: lazy, rate-limited opening of the GPU backend and copying its sample into the draft snapshot.
#include "sources/gpu/gpu_source.hpp"

#include <cstdio>
#include <utility>

#include "sources/gpu/nvml/nvml_backend.hpp"
#include "util/error.hpp"

namespace cmon::sources {

namespace {

std::string gib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return text;
}

std::string gpu_label(const model::GpuDevice& gpu) {
    std::string label = "GPU " + std::to_string(gpu.index);
    if (!gpu.uuid.empty()) label += " (" + gpu.uuid + ")";
    return label;
}

}  // namespace

GpuSource::GpuSource(GpuSourceOptions options, const util::Clock& clock)
    : GpuSource([path = std::move(options.library_path)] { return std::make_unique<NvmlBackend>(path); },
                options.retry_interval, clock, options.release) {}

GpuSource::GpuSource(BackendFactory open_backend, std::chrono::seconds retry_interval, const util::Clock& clock,
                     GpuRelease release)
    : open_backend_(std::move(open_backend)), retry_interval_(retry_interval), clock_(clock), release_(release) {}

void GpuSource::release_backend() {
    backend_.reset();
    // A release is not a failure: the next collect reopens without waiting for retry_interval.
    last_attempt_.reset();
}

void GpuSource::pause() {
    if (release_ != GpuRelease::never) release_backend();
}

GpuSource::~GpuSource() = default;

void GpuSource::ensure_open() {
    if (backend_) return;
    const auto now = clock_.steady_now();
    // dlopen + nvmlInit can take a second on a big machine: do not pay it every tick on a host without GPUs.
    if (last_attempt_ && now - *last_attempt_ < retry_interval_) throw util::Error(last_error_);
    last_attempt_ = now;
    try {
        backend_ = open_backend_();
    } catch (const util::Error& error) {
        last_error_ = error.what();
        throw;
    }
}

void GpuSource::collect(model::Snapshot& draft) {
    ensure_open();
    GpuSample sample;
    try {
        sample = backend_->sample();
    } catch (const util::Error& error) {
        // The library stopped answering as a whole (driver unloaded?): reopen later, from scratch.
        backend_.reset();
        last_attempt_ = clock_.steady_now();
        last_error_ = error.what();
        throw;
    }
    note_ = backend_->describe();
    if (release_ == GpuRelease::always) {
        release_backend();
        if (!note_.empty()) note_ += "; released after each sample (--nvml-release always)";
    }
    draft.gpus = std::move(sample.devices);
    draft.gpu_processes = std::move(sample.processes);
    warnings_.clear();
    for (const model::GpuDevice& gpu : draft.gpus) {
        if (gpu.lost) continue;
        for (const std::string& field : gpu.degraded_fields) warnings_.push_back(gpu_label(gpu) + ": " + field);
        if (gpu.processes_hidden && gpu.memory_used_bytes) {
            warnings_.push_back(gpu_label(gpu) + ": " + gib(*gpu.memory_used_bytes) +
                                " in use but the driver lists no process: run with --pid=host to see GPU processes");
        }
    }
    // The other GPUs stay in the draft; the health line names the lost ones.
    std::string lost;
    for (const model::GpuDevice& gpu : draft.gpus) {
        if (!gpu.lost) continue;
        lost += (lost.empty() ? "" : ", ") + std::to_string(gpu.index);
        if (!gpu.uuid.empty()) lost += " (" + gpu.uuid + ")";
    }
    if (!lost.empty()) throw util::Error("gpu: GPU " + lost + " lost or not answering; the other GPUs are reported");
}

}  // namespace cmon::sources
