// DrmSource: appends the DRM backend's sample to the draft with GPU indices unique across backends.
#include "sources/gpu/drm/drm_source.hpp"

#include <algorithm>
#include <utility>

namespace cmon::sources {

DrmSource::DrmSource(std::unique_ptr<GpuBackend> backend) : backend_(std::move(backend)) {}

void DrmSource::collect(model::Snapshot& draft) {
    GpuSample sample = backend_->sample();
    for (const model::GpuDevice& gpu : draft.gpus) index_base_ = std::max(index_base_, gpu.index + 1);
    for (model::GpuDevice& gpu : sample.devices) {
        gpu.index += index_base_;
        draft.gpus.push_back(std::move(gpu));
    }
    for (model::GpuProcess& process : sample.processes) {
        process.gpu_index += index_base_;
        draft.gpu_processes.push_back(std::move(process));
    }
    note_ = std::move(sample.note);
}

}  // namespace cmon::sources
