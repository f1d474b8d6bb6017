// GpuAttributor when /proc/<pid> vanishes between the GPU's process list and the reads of its files
// (issue 8, "Faults"): no exception, and every answer is either right or absent, never another pid's.
// Each partial pid directory is met one at a time (TreeStates); a thread that churns them shows the
// attributions racing it both succeed and miss.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "attribution/gpu_attributor.hpp"
#include "fakes/vanishing_tree.hpp"

namespace cmon::attribution {
namespace {

namespace fs = std::filesystem;

const std::string kA = "3f4e6a1b2c9d8e7f60718293a4b5c6d7e8f90123456789abcdef0123456789ab";
const std::string kB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const fs::path kFixtureProc = fs::path(CMON_FIXTURES_DIR) / "attribution" / "proc";

class VanishingProc : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("cmon-vanish-attr-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_ / "proc");
        fs::copy(kFixtureProc, root_ / "proc", fs::copy_options::recursive);
        fs::copy(kFixtureProc, root_ / "original", fs::copy_options::recursive);
        paths_.proc = root_ / "proc";
    }
    void TearDown() override { fs::remove_all(root_); }

    static model::Snapshot draft(std::initializer_list<unsigned> pids) {
        model::Snapshot draft;
        for (unsigned pid : pids) {
            model::GpuProcess process;
            process.pid = pid;
            draft.gpu_processes.push_back(process);
        }
        return draft;
    }

    fs::path root_;
    sources::HostPaths paths_;
};

TEST_F(VanishingProc, FilesGoneAfterTheDirectoryWasSeenLeaveTheProcessUnattributedThenReRead) {
    // The directory is still there but its files are gone: the state between exists() and the reads.
    fs::remove(paths_.proc / "4101" / "cgroup");
    fs::remove(paths_.proc / "4101" / "status");
    GpuAttributor attributor(paths_);
    auto first = draft({4101});
    attributor.attribute(first);
    EXPECT_TRUE(first.gpu_processes[0].process_exists);
    EXPECT_FALSE(first.gpu_processes[0].container_id);

    // Not cached as "host process": once the files are readable the answer comes.
    fs::copy(root_ / "original" / "4101", paths_.proc / "4101",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    auto second = draft({4101});
    attributor.attribute(second);
    EXPECT_EQ(second.gpu_processes[0].container_id, kA);
    EXPECT_EQ(second.gpu_processes[0].container_pid, 1U);
}

TEST_F(VanishingProc, StatusGoneAfterCgroupWasReadKeepsTheContainerWithoutItsPid) {
    fs::remove(paths_.proc / "4102" / "status");
    GpuAttributor attributor(paths_);
    auto tick = draft({4102});
    attributor.attribute(tick);
    EXPECT_EQ(tick.gpu_processes[0].container_id, kB);
    EXPECT_FALSE(tick.gpu_processes[0].container_pid);
}

TEST_F(VanishingProc, PidDirectoriesComingAndGoingDuringReadsNeverGiveAWrongAnswer) {
    testing::VanishingTree churn_a(root_ / "original" / "4101", paths_.proc / "4101");
    testing::VanishingTree churn_b(root_ / "original" / "4102", paths_.proc / "4102");
    // Until ticks have both attributed 4101 and missed it (the race ran both ways), at least 3000.
    int attributed = 0;
    int missed = 0;
    int ticks = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((ticks < 3000 || attributed == 0 || missed == 0) && std::chrono::steady_clock::now() < deadline) {
        // A fresh attributor each tick: every tick reads the files (a cached answer would hide the race).
        GpuAttributor attributor(paths_);
        auto snapshot = draft({4101, 4102, 4103});
        ASSERT_NO_THROW(attributor.attribute(snapshot));
        ++ticks;
        const auto& a = snapshot.gpu_processes[0];
        const auto& b = snapshot.gpu_processes[1];
        if (a.container_id) {
            ASSERT_EQ(*a.container_id, kA);
            ++attributed;
        } else {
            ++missed;
        }
        if (a.container_pid) {
            ASSERT_EQ(*a.container_pid, 1U);
        }
        if (b.container_id) {
            ASSERT_EQ(*b.container_id, kB);
        }
        if (b.container_pid) {
            ASSERT_EQ(*b.container_pid, 57U);
        }
        ASSERT_FALSE(snapshot.gpu_processes[2].container_id) << "the host process never gets a container";
    }
    churn_a.stop();
    churn_b.stop();
    EXPECT_GT(attributed, 0) << "no tick attributed 4101 while its directory churned (" << ticks << " ticks)";
    EXPECT_GT(missed, 0) << "no tick missed 4101 while its directory churned (" << ticks << " ticks)";
    // Once the tree stands still, the answer is complete again.
    GpuAttributor attributor(paths_);
    auto settled = draft({4101, 4102});
    attributor.attribute(settled);
    EXPECT_EQ(settled.gpu_processes[0].container_id, kA);
    EXPECT_EQ(settled.gpu_processes[1].container_pid, 57U);
}

// Every state a pid directory passes through while it vanishes or comes back, one at a time: the container
// exactly when the cgroup file is there, its pid exactly when the status file is there too.
TEST_F(VanishingProc, EveryPartialPidDirectoryGivesExactlyWhatItsFilesSay) {
    struct Pid {
        unsigned pid;
        std::string container;
        unsigned container_pid;
    };
    int attributed = 0;
    int missed = 0;
    for (const Pid& p : {Pid{4101, kA, 1}, Pid{4102, kB, 57}}) {
        const fs::path dir = paths_.proc / std::to_string(p.pid);
        testing::TreeStates states(root_ / "original" / std::to_string(p.pid), dir);
        auto attribute = [&](const std::string& state) {
            const bool has_dir = fs::exists(dir);
            const bool has_cgroup = fs::exists(dir / "cgroup");
            const bool has_status = fs::exists(dir / "status");
            GpuAttributor attributor(paths_);
            auto snapshot = draft({p.pid, 4103});
            ASSERT_NO_THROW(attributor.attribute(snapshot)) << state;
            const auto& got = snapshot.gpu_processes[0];
            EXPECT_EQ(got.process_exists, has_dir) << state;
            EXPECT_EQ(got.container_id, has_cgroup ? std::optional<std::string>(p.container) : std::nullopt)
                << state;
            EXPECT_EQ(got.container_pid,
                      has_cgroup && has_status ? std::optional<unsigned>(p.container_pid) : std::nullopt)
                << state;
            EXPECT_FALSE(snapshot.gpu_processes[1].container_id) << "the host process, " << state;
            ++(got.container_id ? attributed : missed);
        };
        for (std::size_t count = 0; count <= states.size(); ++count) {
            states.show_prefix(count);
            attribute(std::to_string(p.pid) + " with its first " + std::to_string(count) + " entries");
        }
        for (std::size_t index = 0; index < states.size(); ++index) {
            states.show_without(index);
            attribute(std::to_string(p.pid) + " without " + states.entry(index).string());
        }
    }
    EXPECT_GT(attributed, 0);
    EXPECT_GT(missed, 0);
}

}  // namespace
}  // namespace cmon::attribution
