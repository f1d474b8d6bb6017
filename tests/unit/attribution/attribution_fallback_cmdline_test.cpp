// The Docker top fallback as the monitor sees it without the host's pid namespace (a fake lister stands in
// for Docker), the health note that says so, and --show-cmdline (GpuProcess::command) on and off.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "attribution/gpu_attribution_stage.hpp"
#include "attribution/gpu_attributor.hpp"
#include "fakes/fake_clock.hpp"
#include "util/error.hpp"

namespace cmon::attribution {
namespace {

namespace fs = std::filesystem;
using PidMap = std::map<std::string, std::vector<unsigned>>;

const std::string kA = "3f4e6a1b2c9d8e7f60718293a4b5c6d7e8f90123456789abcdef0123456789ab";
const std::string kB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class TempProc : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("cmon-attr-fb-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }
    void write(unsigned pid, const std::string& name, const std::string& text) {
        fs::create_directories(root_ / std::to_string(pid));
        std::ofstream(root_ / std::to_string(pid) / name, std::ios::binary) << text;
    }
    sources::HostPaths paths() const {
        sources::HostPaths p;
        p.proc = root_;
        return p;
    }
    static model::Snapshot draft(std::initializer_list<unsigned> pids) {
        model::Snapshot d;
        for (const std::string& id : {kA, kB}) {
            model::ContainerStats c;
            c.id = id;
            d.containers.push_back(c);
        }
        for (unsigned pid : pids) {
            model::GpuProcess p;
            p.pid = pid;
            d.gpu_processes.push_back(p);
        }
        return d;
    }
    fs::path root_;
};

TEST_F(TempProc, NoHostPidsUsesDockerTopAndSaysSo) {
    int calls = 0;
    GpuAttributor attributor(paths(), [&](const std::vector<std::string>&) {
        ++calls;
        return PidMap{{kA, {700, 701}}, {kB, {800}}};
    });
    model::Snapshot d = draft({700, 800, 900});  // none of them under our (empty) proc
    attributor.attribute(d);
    EXPECT_EQ(calls, 1) << "once per tick for all containers";
    EXPECT_EQ(d.gpu_processes[0].container_id, kA);
    EXPECT_EQ(d.gpu_processes[1].container_id, kB);
    EXPECT_FALSE(d.gpu_processes[2].container_id.has_value()) << "in no container's top: a host process";
    EXPECT_EQ(attributor.note(), "pids from docker top (no host pid namespace)");

    model::Snapshot again = draft({700, 800, 900});
    attributor.attribute(again);
    EXPECT_EQ(calls, 1) << "same pids, same containers: answered from the kept answers, no docker top";
    EXPECT_EQ(again.gpu_processes[0].container_id, kA);
    EXPECT_EQ(again.gpu_processes[1].container_id, kB);
    EXPECT_FALSE(again.gpu_processes[2].container_id.has_value());
    EXPECT_TRUE(again.gpu_processes[0].process_exists);
    EXPECT_EQ(attributor.note(), "pids from docker top (no host pid namespace)");

    model::Snapshot new_pid = draft({700, 701});
    attributor.attribute(new_pid);
    EXPECT_EQ(calls, 2) << "a pid not asked about yet";
    EXPECT_EQ(new_pid.gpu_processes[1].container_id, kA);

    model::Snapshot fewer_containers = draft({700, 701});
    fewer_containers.containers.pop_back();
    attributor.attribute(fewer_containers);
    EXPECT_EQ(calls, 3) << "containers came or went: ask again";

    model::Snapshot after_exit = draft({700, 701});
    after_exit.containers.pop_back();
    attributor.attribute(after_exit);
    EXPECT_EQ(calls, 3);
    model::Snapshot reused = draft({700});
    reused.containers.pop_back();
    attributor.attribute(reused);
    model::Snapshot pid_back = draft({700, 701});
    pid_back.containers.pop_back();
    attributor.attribute(pid_back);
    EXPECT_EQ(calls, 4) << "a pid that left the GPUs and came back may be another process: asked again";
}

TEST_F(TempProc, NoteIsEmptyWhenProcAnswersEverything) {
    write(10, "cgroup", "0::/docker/" + kA + "\n");
    int calls = 0;
    GpuAttributor attributor(paths(), [&](const std::vector<std::string>&) {
        ++calls;
        return PidMap{};
    });
    model::Snapshot d = draft({10});
    attributor.attribute(d);
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(d.gpu_processes[0].container_id, kA);
    EXPECT_EQ(attributor.note(), "");
}

TEST_F(TempProc, SomePidsFromTopAreCountedInTheNote) {
    write(10, "cgroup", "0::/docker/" + kA + "\n");
    GpuAttributor attributor(paths(), [](const std::vector<std::string>&) { return PidMap{{kB, {20}}}; });
    model::Snapshot d = draft({10, 20});
    attributor.attribute(d);
    EXPECT_EQ(d.gpu_processes[1].container_id, kB);
    EXPECT_EQ(attributor.note(), "pids of 1 GPU process(es) not under " + root_.string() + " from docker top");
}

TEST_F(TempProc, FailingTopIsInTheNoteAndNothingIsLost) {
    GpuAttributor attributor(paths(), [](const std::vector<std::string>&) -> PidMap {
        throw util::Error("docker: GET /containers/x/top: connection refused");
    });
    model::Snapshot d = draft({700});
    attributor.attribute(d);
    EXPECT_FALSE(d.gpu_processes[0].container_id.has_value());
    EXPECT_NE(attributor.note().find("connection refused"), std::string::npos) << attributor.note();
}

TEST_F(TempProc, NoListerAndNoHostPidsIsInTheNote) {
    GpuAttributor attributor(paths());
    model::Snapshot d = draft({700});
    attributor.attribute(d);
    EXPECT_NE(attributor.note().find("no host pid namespace"), std::string::npos) << attributor.note();
}

TEST_F(TempProc, SourceHealthNoteComesFromTheAttributor) {
    testing::FakeClock clock;
    GpuAttributionStage source(
        paths(), IdleTrackerOptions{},
        [](const std::vector<std::string>&) {
            return PidMap{{kA, {700}}};
        },
        clock);
    model::Snapshot d = draft({700});
    source.run(d);
    EXPECT_EQ(source.health_note(), "pids from docker top (no host pid namespace)");
    EXPECT_EQ(d.gpu_processes[0].container_id, kA);
}

TEST_F(TempProc, CommandLineOnlyWithShowCmdline) {
    write(10, "cgroup", "0::/docker/" + kA + "\n");
    write(10, "cmdline",
          std::string("python3\0train.py\0--lr\0"
                      "0.1\0",
                      26));
    model::Snapshot off = draft({10});
    GpuAttributor(paths()).attribute(off);
    EXPECT_FALSE(off.gpu_processes[0].command.has_value()) << "off by default";

    GpuAttributorOptions options;
    options.show_cmdline = true;
    GpuAttributor attributor(paths(), {}, options);
    model::Snapshot on = draft({10});
    attributor.attribute(on);
    EXPECT_EQ(on.gpu_processes[0].command, "python3 train.py --lr 0.1");
    model::Snapshot cached = draft({10});
    attributor.attribute(cached);
    EXPECT_EQ(cached.gpu_processes[0].command, "python3 train.py --lr 0.1") << "from the per-pid cache";
}

TEST_F(TempProc, LongCommandLinesAreCut) {
    write(10, "cgroup", "0::/init.scope\n");
    write(10, "cmdline", std::string(5000, 'x') + std::string("\0", 1));
    GpuAttributorOptions options;
    options.show_cmdline = true;
    options.cmdline_max_bytes = 100;
    GpuAttributor attributor(paths(), {}, options);
    model::Snapshot d = draft({10});
    attributor.attribute(d);
    ASSERT_TRUE(d.gpu_processes[0].command.has_value());
    EXPECT_EQ(d.gpu_processes[0].command->size(), 100U);
    EXPECT_EQ(d.gpu_processes[0].command->substr(97), "...");
}

TEST(CommandLine, NulsBecomeSpacesAndControlCharactersAreMasked) {
    EXPECT_EQ(command_line_from_cmdline(std::string("a\0b\0\0", 5), 64), "a b");
    EXPECT_EQ(command_line_from_cmdline(std::string("a\nb\x1b", 4), 64), "a?b?");
    EXPECT_EQ(command_line_from_cmdline("", 64), std::nullopt) << "kernel thread";
    EXPECT_EQ(command_line_from_cmdline(std::string("\0\0", 2), 64), std::nullopt);
    EXPECT_EQ(command_line_from_cmdline("abcdef", 6), "abcdef") << "exactly at the limit";
    EXPECT_EQ(command_line_from_cmdline("abcdefg", 6), "abc...");
}

}  // namespace
}  // namespace cmon::attribution
