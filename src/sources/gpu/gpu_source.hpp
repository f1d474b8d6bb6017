// The "gpu" collection unit: opens a GpuBackend lazily (NVML by default), retries a failed open at most every
// retry_interval, and fills draft.gpus and draft.gpu_processes. No driver: throws util::Error so the source
// health says "gpu: no NVIDIA driver found (...)". One lost GPU: that device has lost = true, the others are in
// the draft as usual, and collect() then throws util::Error naming the lost GPU, so health reports it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sources/gpu/gpu_backend.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"

namespace cmon::sources {

struct GpuSourceOptions {
    std::string library_path = "libnvidia-ml.so.1";
    std::chrono::seconds retry_interval{30};  // between attempts to open a library that failed to open
};

class GpuSource final : public Source {
public:
    using BackendFactory = std::function<std::unique_ptr<GpuBackend>()>;

    // NVML at options.library_path. `clock` (for the retry interval) must outlive the source.
    GpuSource(GpuSourceOptions options, const util::Clock& clock);
    // Any backend (tests, other vendors). The factory throws util::Error when the backend cannot open.
    GpuSource(BackendFactory open_backend, std::chrono::seconds retry_interval, const util::Clock& clock);
    ~GpuSource() override;

    std::string_view name() const override { return "gpu"; }
    void collect(model::Snapshot& draft) override;

private:
    void ensure_open();

    BackendFactory open_backend_;
    std::chrono::seconds retry_interval_;
    const util::Clock& clock_;
    std::unique_ptr<GpuBackend> backend_;
    std::optional<std::chrono::steady_clock::time_point> last_attempt_;
    std::string last_error_;
};

}  // namespace cmon::sources
