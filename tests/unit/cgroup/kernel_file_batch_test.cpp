// KernelFileBatch: every queued file read whole, through io_uring or pread, with the same texts as
// KernelFile::read; tickets of an earlier batch void; kernel files read inline, not by io_uring's workers.
#include "sources/cgroup/kernel_file_batch.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace cmon::sources {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir()
        : root_(fs::temp_directory_path() / ("cmon-batch-" + std::to_string(::getpid()) + "-" + std::to_string(n_++))) {
        fs::create_directories(root_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(root_ / name, std::ios::trunc) << text;
        return root_ / name;
    }
    const fs::path& root() const { return root_; }

private:
    static inline int n_ = 0;
    fs::path root_;
};

std::string lines(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += "line " + std::to_string(i) + " of a longer kernel file\n";
    return text;
}

std::optional<std::string> owned(std::optional<std::string_view> text) {
    return text ? std::optional<std::string>(std::string(*text)) : std::nullopt;
}

// Runs the same files through a batch twice (the second time with slots sized from the first) and checks
// every text against the file's contents.
// With `expect_ring`, also checks after every run that the batch read through io_uring (it drops the ring,
// and says why, when a batch could not go through it).
void reads_whole_files(KernelFileBatch::Mode mode, bool expect_ring = false) {
    TempDir dir;
    const std::vector<std::string> texts{"42\n", lines(40), lines(600), "", "max\n"};
    std::vector<KernelFile> files;
    for (std::size_t i = 0; i < texts.size(); ++i)
        files.push_back(KernelFile::open(dir.write(std::to_string(i), texts[i])));
    files.push_back(KernelFile{});  // never opened: no text
    KernelFileBatch batch(mode);
    for (int round = 0; round < 2; ++round) {
        batch.clear();
        std::vector<KernelFileBatch::Ticket> tickets;
        for (const auto& file : files) tickets.push_back(batch.add(file));
        batch.run();
        if (expect_ring) {
            EXPECT_TRUE(batch.uses_ring()) << "round " << round << ": " << batch.ring_status();
        }
        for (std::size_t i = 0; i < texts.size(); ++i) {
            EXPECT_EQ(owned(batch.text(tickets[i])), texts[i]) << "file " << i << ", round " << round;
        }
        EXPECT_EQ(batch.text(tickets.back()), std::nullopt);
    }
    // A file that grew past the slot its last size gave it is still read whole.
    const std::string grown = lines(300);
    dir.write("0", grown);
    batch.clear();
    const auto ticket = batch.add(files[0]);
    batch.run();
    EXPECT_EQ(owned(batch.text(ticket)), grown);
    if (expect_ring) {
        EXPECT_TRUE(batch.uses_ring()) << batch.ring_status();
        EXPECT_EQ(batch.ring_status(), "");
    }
}

TEST(KernelFileBatch, ReadsWholeFilesThroughIoUring) {
    // Where io_uring is refused (kernel.io_uring_disabled, a seccomp profile) this fails and says why: the
    // ring path is what this test is about, and FallsBackToPreadWhereIoUringIsRefused covers the other.
    reads_whole_files(KernelFileBatch::Mode::automatic, /*expect_ring=*/true);
}

TEST(KernelFileBatch, ReadsWholeFilesWithPread) {
    reads_whole_files(KernelFileBatch::Mode::pread_only);
    KernelFileBatch batch(KernelFileBatch::Mode::pread_only);
    EXPECT_FALSE(batch.uses_ring());
    EXPECT_FALSE(batch.ring_status().empty());
}

TEST(KernelFileBatch, AFailedReadHasNoText) {
    TempDir dir;
    for (auto mode : {KernelFileBatch::Mode::automatic, KernelFileBatch::Mode::pread_only}) {
        const KernelFile directory = KernelFile::open(dir.root());  // opens, but read() fails: EISDIR
        ASSERT_TRUE(directory);
        const KernelFile file = KernelFile::open(dir.write("f", "7\n"));
        KernelFileBatch batch(mode);
        const auto bad = batch.add(directory);
        const auto good = batch.add(file);
        batch.run();
        EXPECT_EQ(batch.text(bad), std::nullopt);
        EXPECT_EQ(owned(batch.text(good)), "7\n");
    }
}

TEST(KernelFileBatch, TicketsOfAnEarlierBatchAreVoid) {
    TempDir dir;
    const KernelFile file = KernelFile::open(dir.write("f", "1\n"));
    KernelFileBatch batch;
    const auto ticket = batch.add(file);
    EXPECT_FALSE(batch.holds(ticket));  // not run yet
    EXPECT_EQ(batch.text(ticket), std::nullopt);
    batch.run();
    EXPECT_TRUE(batch.holds(ticket));
    EXPECT_EQ(owned(batch.text(ticket)), "1\n");
    batch.clear();
    const auto next = batch.add(file);  // the same index in the next batch
    batch.run();
    EXPECT_EQ(next.index, ticket.index);
    EXPECT_FALSE(batch.holds(ticket));
    EXPECT_EQ(batch.text(ticket), std::nullopt);
    EXPECT_TRUE(batch.holds(next));
}

// io_uring hands the reads it cannot issue inline to worker threads named "iou-wrk-<submitting tid>".
bool has_io_workers_of(pid_t tid) {
    const std::string wanted = "iou-wrk-" + std::to_string(tid);
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/self/task", ec)) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        if (std::getline(comm, name) && name == wanted) return true;
    }
    return false;
}

// The premise of the batch, on this kernel: kernfs (sysfs here, cgroupfs in a sample) and procfs files
// opened by KernelFile are read by io_uring inline, so no worker thread ever appears for the submitting
// thread. On a thread of its own: workers belong to the thread that submitted, and no other test's
// reads (regular files that were not in the page cache) can have made one for it.
TEST(KernelFileBatch, KernelFilesAreReadInlineNotByWorkerThreads) {
    std::vector<std::string> problems;
    std::string status;
    std::thread([&] {
        const KernelFile sysfs = KernelFile::open("/sys/devices/system/cpu/online");
        const KernelFile procfs = KernelFile::open("/proc/self/net/dev");
        if (!sysfs || !procfs) {
            problems.push_back("cannot open the sysfs or procfs file");
            return;
        }
        std::string buffer;
        const auto expected = owned(sysfs.read(buffer));
        KernelFileBatch batch;
        for (int round = 0; round < 4; ++round) {
            batch.clear();
            const auto a = batch.add(sysfs);
            const auto b = batch.add(procfs);
            batch.run();
            if (owned(batch.text(a)) != expected) problems.push_back("sysfs text differs from pread's");
            if (!batch.text(b) || !batch.text(b)->starts_with("Inter-|")) problems.push_back("bad net/dev text");
        }
        status = batch.ring_status();
        if (!batch.uses_ring()) return;
        if (has_io_workers_of(::gettid())) problems.push_back("io_uring handed reads to a worker thread");
    }).join();
    EXPECT_TRUE(problems.empty()) << problems.front();
    if (status.starts_with("io_uring unavailable")) {
        GTEST_SKIP() << status;  // a kernel or seccomp profile without io_uring: pread was used, and worked
    }
    EXPECT_EQ(status, "");
}

// What a seccomp profile that refuses io_uring (Docker's default since Engine 25.0) leaves: the batch says
// why and reads every file with pread. In a child process, which installs such a filter on itself.
#if defined(__x86_64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#endif

TEST(KernelFileBatch, FallsBackToPreadWhereIoUringIsRefused) {
    TempDir dir;
    const std::string text = lines(20);
    const fs::path path = dir.write("f", text);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Allow everything but io_uring_setup, which fails with EPERM.
        sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog program{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
            ::_exit(10);
        }
        const KernelFile file = KernelFile::open(path);
        KernelFileBatch batch;
        for (int round = 0; round < 2; ++round) {
            batch.clear();
            const auto ticket = batch.add(file);
            batch.run();
            if (owned(batch.text(ticket)) != text) ::_exit(11);
        }
        if (batch.uses_ring()) ::_exit(12);
        if (batch.ring_status() != "io_uring unavailable (Operation not permitted): one pread per file") ::_exit(13);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    // 10: no filter installed; 11: wrong text; 12: still on the ring; 13: another status line
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace cmon::sources
