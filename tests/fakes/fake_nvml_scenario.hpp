// Test helper for the stand-in NVML (fake_nvml.cpp): where the stand-in libnvidia-ml.so.1 is, and writing its scenario
// file atomically.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cmon::testing {

// $CMON_FAKE_NVML_PATH wins (running the binary by hand); else the path the build passed in.
inline std::string fake_nvml_path() {
    if (const char* env = std::getenv("CMON_FAKE_NVML_PATH"); env != nullptr && *env != '\0') return env;
#ifdef CMON_FAKE_NVML_PATH
    return CMON_FAKE_NVML_PATH;
#else
    return "tests/fakes/libnvidia-ml.so.1";
#endif
}

// The stand-in built for a driver profile ("modern", "r535_54", "r535_98", "r450"; fake_nvml.cpp says what each
// exports): <fakes dir>/<profile>/libnvidia-ml.so.1, the modern one at <fakes dir>/libnvidia-ml.so.1.
inline std::string fake_nvml_path(const std::string& profile) {
    if (profile.empty() || profile == "modern") return fake_nvml_path();
    std::filesystem::path modern = fake_nvml_path();
    return (modern.parent_path() / profile / modern.filename()).string();
}

// Owns one scenario file for the test's lifetime and points $CMON_FAKE_NVML_SCENARIO at it.
class FakeNvmlScenario {
public:
    FakeNvmlScenario()
        : path_(std::filesystem::temp_directory_path() /
                ("cmon-fake-nvml-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".json")) {
        ::setenv("CMON_FAKE_NVML_SCENARIO", path_.c_str(), 1);
    }
    ~FakeNvmlScenario() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
        ::unsetenv("CMON_FAKE_NVML_SCENARIO");
    }
    FakeNvmlScenario(const FakeNvmlScenario&) = delete;
    FakeNvmlScenario& operator=(const FakeNvmlScenario&) = delete;

    // Write-then-rename, as a test rewriting the file under a running monitor must.
    void write(const nlohmann::json& scenario) {
        std::filesystem::path temp = path_;
        temp += ".tmp";
        {
            std::ofstream out(temp);
            out << scenario.dump();
        }
        std::filesystem::rename(temp, path_);
    }

private:
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

}  // namespace cmon::testing
