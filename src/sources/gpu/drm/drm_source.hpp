// The "gpu-drm" collection unit: AMD and Intel GPUs next to NVML's. It runs after the NVML "gpu" source
// and appends its devices and processes to the draft, numbering its GPUs after every index already there
// (and never lower than it once did, so an NVML hiccup does not renumber the AMD GPUs). A host without
// AMD/Intel GPUs is not an error: the health note says none were found.
#pragma once

#include <memory>
#include <string>

#include "sources/gpu/gpu_backend.hpp"
#include "sources/source.hpp"

namespace cmon::sources {

class DrmSource final : public Source {
public:
    explicit DrmSource(std::unique_ptr<GpuBackend> backend);

    std::string_view name() const override { return "gpu-drm"; }
    void collect(model::Snapshot& draft) override;
    std::string health_note() const override { return note_; }

private:
    std::unique_ptr<GpuBackend> backend_;
    unsigned index_base_ = 0;
    std::string note_;
};

}  // namespace cmon::sources
