// DrmBackend on the fixture trees of tests/fixtures/drm (amdgpu 5.19+ and 5.14-5.18, i915, xe, KFD):
// device fields per driver (absent, not 0, where a driver has none), clients counted once per
// (pdev, client id) across fds and forked processes, engine % from successive readings with a fake clock,
// counters going backwards, Intel memory from clients, and the ROCm process seen through KFD.
#include "sources/gpu/drm/drm_backend.hpp"

#include <unistd.h>

#include <fstream>
#include <gtest/gtest.h>
#include <regex>

#include "fakes/fake_clock.hpp"

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::FakeClock;

// A writable copy of one fixture tree (symlinks copied as symlinks).
class FixtureCopy {
public:
    explicit FixtureCopy(const std::string& name) {
        static int counter = 0;
        root_ = fs::temp_directory_path() /
                ("cmon-drm-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(root_);
        fs::copy(fs::path(CMON_FIXTURES_DIR) / "drm" / name, root_,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
        paths_.proc = root_ / "proc";
        paths_.sys = root_ / "sys";
    }
    ~FixtureCopy() {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    const HostPaths& paths() const { return paths_; }
    fs::path path(const std::string& relative) const { return root_ / relative; }
    // Replaces `key:\t<old>` by `key:\t<value>` in a file.
    void set(const std::string& relative, const std::string& key, const std::string& value) const {
        std::ifstream in(path(relative));
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::regex line("(^|\n)" + key + ":[ \t]*[^\n]*");
        const std::string replaced = std::regex_replace(text, line, "$1" + key + ":\t" + value);
        ASSERT_NE(replaced, text) << key << " not found in " << relative;
        std::ofstream(path(relative), std::ios::trunc) << replaced;
    }
    void write(const std::string& relative, const std::string& text) const {
        std::ofstream(path(relative), std::ios::trunc) << text;
    }

private:
    fs::path root_;
    HostPaths paths_;
};

const model::GpuProcess* find(const GpuSample& sample, unsigned pid) {
    for (const auto& process : sample.processes)
        if (process.pid == pid) return &process;
    return nullptr;
}

TEST(DrmBackend, AmdgpuDeviceFromSysfs) {
    FixtureCopy fixture("amdgpu");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    const GpuSample sample = backend.sample();
    ASSERT_EQ(sample.devices.size(), 1U);  // card0-DP-1 is a connector, not a card
    const model::GpuDevice& gpu = sample.devices[0];
    EXPECT_EQ(gpu.index, 0U);
    EXPECT_EQ(gpu.vendor, "amd");
    EXPECT_EQ(gpu.driver, "amdgpu");
    EXPECT_EQ(gpu.pci_bus_id, "0000:03:00.0");
    EXPECT_EQ(gpu.name, "AMD Instinct MI210");
    EXPECT_EQ(gpu.uuid, "a1b2c3d4e5f60718");
    EXPECT_EQ(gpu.render_node, "renderD128");
    EXPECT_EQ(gpu.utilization_percent, 37U);
    EXPECT_EQ(gpu.memory_used_bytes, 3221225472U);
    EXPECT_EQ(gpu.memory_total_bytes, 68702699520U);
    EXPECT_EQ(gpu.gtt_memory_used_bytes, 16777216U);
    EXPECT_EQ(gpu.gtt_memory_total_bytes, 536870912000U);
    EXPECT_EQ(gpu.temperature_celsius, 45U);  // temp1 (edge), m°C
    EXPECT_EQ(gpu.power_draw_milliwatts, 93000U);
    EXPECT_EQ(gpu.power_limit_milliwatts, 300000U);
    EXPECT_EQ(gpu.fan_rpm, 1250U);
    EXPECT_EQ(gpu.fan_percent, 40U);  // pwm1 102 of 255
    EXPECT_EQ(gpu.sm_clock_mhz, 1700U);
    EXPECT_EQ(gpu.memory_clock_mhz, 1600U);
    EXPECT_FALSE(gpu.memory_utilization_percent);  // amdgpu has no such file: absent, not 0
    EXPECT_FALSE(gpu.mig_enabled);
    EXPECT_TRUE(sample.note.empty());
}

TEST(DrmBackend, AmdgpuClientsCountedOncePerPdevAndClientId) {
    FixtureCopy fixture("amdgpu");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    GpuSample first = backend.sample();
    // 4101 holds client 11 on two fds and shares it with its child 4102; 4103 is client 13; 4104 has no GPU.
    ASSERT_EQ(first.processes.size(), 2U);
    const model::GpuProcess* parent = find(first, 4101);
    ASSERT_NE(parent, nullptr);
    EXPECT_EQ(find(first, 4102), nullptr);
    EXPECT_EQ(find(first, 4104), nullptr);
    EXPECT_EQ(parent->memory_used_bytes, 1048576ULL * 1024);  // vram of client 11 once; card0 client 12 holds none
    EXPECT_EQ(parent->gpu_index, 0U);
    EXPECT_EQ(parent->type, "graphics");
    EXPECT_FALSE(parent->sm_percent);  // one reading: no rate yet
    EXPECT_TRUE(parent->engine_busy_percent.empty());
    EXPECT_EQ(find(first, 4103)->memory_used_bytes, 524288ULL * 1024);

    // One second later: client 11 ran gfx 0.5 s and compute 0.1 s; it must not count twice (or thrice).
    for (const char* fd : {"proc/4101/fdinfo/5", "proc/4101/fdinfo/6", "proc/4102/fdinfo/5"}) {
        fixture.set(fd, "drm-engine-gfx", "2500000000 ns");
        fixture.set(fd, "drm-engine-compute", "600000000 ns");
    }
    fixture.set("proc/4103/fdinfo/4", "drm-engine-gfx", "1250000000 ns");
    clock.advance(1s);
    GpuSample second = backend.sample();
    parent = find(second, 4101);
    ASSERT_NE(parent, nullptr);
    EXPECT_DOUBLE_EQ(parent->engine_busy_percent.at("gfx"), 50.0);
    EXPECT_DOUBLE_EQ(parent->engine_busy_percent.at("compute"), 10.0);
    EXPECT_EQ(parent->sm_percent, 50U);  // the busiest engine
    EXPECT_DOUBLE_EQ(find(second, 4103)->engine_busy_percent.at("gfx"), 25.0);
    EXPECT_EQ(second.devices[0].utilization_percent, 37U);  // the device's own gpu_busy_percent stands
}

TEST(DrmBackend, CounterGoingBackwardsGivesNoValueThenRestarts) {
    FixtureCopy fixture("amdgpu");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    backend.sample();
    fixture.set("proc/4103/fdinfo/4", "drm-engine-gfx", "100 ns");  // below 1 s read before
    clock.advance(1s);
    GpuSample backwards = backend.sample();
    EXPECT_TRUE(find(backwards, 4103)->engine_busy_percent.empty());
    EXPECT_FALSE(find(backwards, 4103)->sm_percent);
    fixture.set("proc/4103/fdinfo/4", "drm-engine-gfx", "200000100 ns");
    clock.advance(1s);
    EXPECT_DOUBLE_EQ(find(backend.sample(), 4103)->engine_busy_percent.at("gfx"), 20.0);
}

TEST(DrmBackend, Amdgpu514PercentageFormAndNameFallback) {
    FixtureCopy fixture("amdgpu-5.14");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    const GpuSample sample = backend.sample();
    ASSERT_EQ(sample.devices.size(), 1U);
    EXPECT_EQ(sample.devices[0].name, "AMD GPU [1002:740f]");
    const model::GpuProcess* process = find(sample, 4201);
    ASSERT_NE(process, nullptr);
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("gfx"), 37.5);  // the kernel's own rate, first sample
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("dma"), 1.25);
    EXPECT_EQ(process->sm_percent, 38U);
    EXPECT_EQ(process->memory_used_bytes, 524288ULL * 1024);
}

TEST(DrmBackend, I915FrequencyEnergyPowerAndMemoryFromClients) {
    FixtureCopy fixture("i915");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    GpuSample first = backend.sample();
    ASSERT_EQ(first.devices.size(), 1U);
    const model::GpuDevice& gpu = first.devices[0];
    EXPECT_EQ(gpu.vendor, "intel");
    EXPECT_EQ(gpu.driver, "i915");
    EXPECT_EQ(gpu.name, "Intel GPU [8086:56a0]");
    EXPECT_EQ(gpu.sm_clock_mhz, 2000U);
    EXPECT_EQ(gpu.sm_clock_max_mhz, 2400U);
    EXPECT_EQ(gpu.power_limit_milliwatts, 190000U);
    EXPECT_FALSE(gpu.power_draw_milliwatts);  // energy needs two readings
    EXPECT_FALSE(gpu.memory_total_bytes);     // mainline i915 publishes no total: absent, not 0
    EXPECT_FALSE(gpu.temperature_celsius);
    EXPECT_EQ(gpu.memory_used_bytes, 512ULL << 20);  // the sum over clients (local0)
    EXPECT_FALSE(gpu.utilization_percent);

    fixture.write("sys/class/drm/card0/device/hwmon/hwmon5/energy1_input", "1075000000\n");  // +75 J
    fixture.set("proc/4301/fdinfo/9", "drm-engine-render", "9788864723 ns");                 // +0.5 s
    fixture.set("proc/4301/fdinfo/9", "drm-engine-video", "1000000000 ns");                  // 1 s of 2 engines
    clock.advance(2s);
    GpuSample second = backend.sample();
    EXPECT_EQ(second.devices[0].power_draw_milliwatts, 37500U);  // 75 J over 2 s
    const model::GpuProcess* process = find(second, 4301);
    ASSERT_NE(process, nullptr);
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("render"), 25.0);
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("video"), 25.0);  // ÷ capacity 2
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("copy"), 0.0);
    EXPECT_EQ(second.devices[0].utilization_percent, 25U);  // no sysfs busy: the clients' busiest engine
}

// Intel's backport i915 (intel-i915-dkms) publishes local memory in card<N>/lmem_total_bytes and
// lmem_avail_bytes: total from the first, used = total - available (not the clients' sum).
TEST(DrmBackend, I915BackportLocalMemoryFromSysfs) {
    FixtureCopy fixture("i915-backport");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    GpuSample sample = backend.sample();
    ASSERT_EQ(sample.devices.size(), 1U);
    EXPECT_EQ(sample.devices[0].name, "Intel GPU [8086:56c0]");
    EXPECT_EQ(sample.devices[0].memory_total_bytes, 17163091968ULL);
    EXPECT_EQ(sample.devices[0].memory_used_bytes, 17163091968ULL - 16492003328ULL);
    fixture.write("sys/class/drm/card0/lmem_avail_bytes", "17163091968\n");
    clock.advance(1s);
    EXPECT_EQ(backend.sample().devices[0].memory_used_bytes, 0U);
}

// An integrated GPU under the backport driver reports 0 local memory: no size (absent), and used memory from
// the clients as on mainline.
TEST(DrmBackend, I915BackportZeroLocalMemoryIsNoSize) {
    FixtureCopy fixture("i915-backport");
    fixture.write("sys/class/drm/card0/lmem_total_bytes", "0\n");
    fixture.write("sys/class/drm/card0/lmem_avail_bytes", "0\n");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    GpuSample sample = backend.sample();
    ASSERT_EQ(sample.devices.size(), 1U);
    EXPECT_FALSE(sample.devices[0].memory_total_bytes);
    EXPECT_EQ(sample.devices[0].memory_used_bytes, 512ULL << 20);  // the clients' local0
}

TEST(DrmBackend, XeCyclesIdleResidencyAndVram) {
    FixtureCopy fixture("xe");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    GpuSample first = backend.sample();
    ASSERT_EQ(first.devices.size(), 1U);
    EXPECT_EQ(first.devices[0].driver, "xe");
    EXPECT_EQ(first.devices[0].pci_bus_id, "0000:04:00.0");
    EXPECT_EQ(first.devices[0].render_node, "renderD129");
    EXPECT_EQ(first.devices[0].memory_total_bytes, 12884901888U);
    EXPECT_EQ(first.devices[0].sm_clock_mhz, 2850U);
    EXPECT_EQ(first.devices[0].sm_clock_max_mhz, 2850U);
    EXPECT_EQ(first.devices[0].memory_used_bytes, 23992ULL * 1024);

    const std::string gt = "sys/class/drm/card1/device/tile0/";
    fixture.write(gt + "gt0/gtidle/idle_residency_ms", "100250\n");  // idle 0.25 s of 1 s: 75 % busy
    fixture.write(gt + "gt1/gtidle/idle_residency_ms", "101000\n");  // media GT idle all along
    fixture.set("proc/4401/fdinfo/6", "drm-cycles-rcs", "1028257900");
    fixture.set("proc/4401/fdinfo/6", "drm-total-cycles-rcs", "9655183225");  // 1e9 of 2e9 cycles
    fixture.set("proc/4401/fdinfo/6", "drm-cycles-ccs", "1000000000");
    fixture.set("proc/4401/fdinfo/6", "drm-total-cycles-ccs", "9655183225");  // ÷ 2e9 ÷ capacity 4
    clock.advance(1s);
    GpuSample second = backend.sample();
    EXPECT_EQ(second.devices[0].utilization_percent, 75U);
    const model::GpuProcess* process = find(second, 4401);
    ASSERT_NE(process, nullptr);
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("rcs"), 50.0);
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("ccs"), 12.5);
    EXPECT_EQ(process->sm_percent, 50U);
}

TEST(DrmBackend, RocmProcessThroughKfd) {
    FixtureCopy fixture("kfd");
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    const GpuSample sample = backend.sample();
    const model::GpuProcess* process = find(sample, 5001);
    ASSERT_NE(process, nullptr);
    EXPECT_EQ(process->gpu_index, 0U);
    EXPECT_EQ(process->memory_used_bytes, 8589934592U);                  // KFD's vram_<gpuid> beats fdinfo's 64 MiB
    EXPECT_DOUBLE_EQ(process->engine_busy_percent.at("compute"), 50.0);  // 52 of 104 CUs
    EXPECT_EQ(process->sm_percent, 50U);
    EXPECT_EQ(process->type, "compute+graphics");
}

TEST(DrmBackend, KfdOnlyProcessWithoutRenderFd) {
    FixtureCopy fixture("kfd");
    fs::remove_all(fixture.path("proc/5001"));
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    const GpuSample sample = backend.sample();
    const model::GpuProcess* process = find(sample, 5001);
    ASSERT_NE(process, nullptr);
    EXPECT_EQ(process->type, "compute");
    EXPECT_EQ(process->memory_used_bytes, 8589934592U);
}

TEST(DrmBackend, NoAmdOrIntelGpuIsANoteNotAnError) {
    FixtureCopy fixture("i915");
    fixture.write("sys/class/drm/card0/device/vendor", "0x10de\n");  // an NVIDIA card: NVML's business
    FakeClock clock;
    DrmBackend backend(fixture.paths(), clock);
    const GpuSample sample = backend.sample();
    EXPECT_TRUE(sample.devices.empty());
    EXPECT_TRUE(sample.processes.empty());
    EXPECT_NE(sample.note.find("no AMD or Intel GPU"), std::string::npos) << sample.note;
}

}  // namespace
}  // namespace cmon::sources
