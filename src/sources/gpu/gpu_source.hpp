// The "gpu" collection unit: opens a GpuBackend lazily (NVML by default), retries a failed open at most every
// retry_interval, and fills draft.gpus and draft.gpu_processes. No driver: throws util::Error so the source
// health says "gpu: no NVIDIA driver found (...)". One lost GPU: that device has lost = true, the others are in
// the draft as usual, and collect() then throws util::Error naming the lost GPU, so health reports it.
// Fields a GPU refused, and GPU memory in use with no process visible, are health warnings (degraded, still ok).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/gpu/gpu_backend.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"
#include "util/defaults.hpp"

namespace cmon::sources {

// When the monitor lets go of the GPU library (nvmlShutdown + dlclose). While NVML is open, `nvidia-smi -r`
// (GPU reset) and MIG reconfiguration refuse to run ("In use by another client").
enum class GpuRelease {
    never,   // keep it open for the monitor's lifetime (fastest; blocks resets and MIG changes)
    paused,  // let go whenever collection pauses because nobody is looking (the default)
    always,  // open and let go around every sample (never blocks; pays nvmlInit per tick, SM % loses history)
};

struct GpuSourceOptions {
    std::string library_path{defaults::kNvmlLibrary};
    std::chrono::seconds retry_interval{30};  // between attempts to open a library that failed to open
    GpuRelease release = GpuRelease::paused;
};

class GpuSource final : public Source {
public:
    using BackendFactory = std::function<std::unique_ptr<GpuBackend>()>;

    // NVML at options.library_path. `clock` (for the retry interval) must outlive the source.
    GpuSource(GpuSourceOptions options, const util::Clock& clock);
    // Any backend (tests, other vendors). The factory throws util::Error when the backend cannot open.
    GpuSource(BackendFactory open_backend, std::chrono::seconds retry_interval, const util::Clock& clock,
              GpuRelease release = GpuRelease::paused);
    ~GpuSource() override;

    std::string_view name() const override { return "gpu"; }
    void collect(model::Snapshot& draft) override;
    std::string health_note() const override { return note_; }
    // Per GPU: the fields it refused and why; memory in use with no process visible (pid namespace).
    std::vector<std::string> health_warnings() const override { return warnings_; }
    // With GpuRelease::paused or always: closes the backend; the next collect reopens it at once.
    void pause() override;
    bool backend_open() const { return backend_ != nullptr; }

private:
    void ensure_open();
    void release_backend();

    BackendFactory open_backend_;
    std::chrono::seconds retry_interval_;
    const util::Clock& clock_;
    std::unique_ptr<GpuBackend> backend_;
    std::optional<std::chrono::steady_clock::time_point> last_attempt_;
    std::string last_error_;
    GpuRelease release_;
    std::string note_;
    std::vector<std::string> warnings_;
};

}  // namespace cmon::sources
