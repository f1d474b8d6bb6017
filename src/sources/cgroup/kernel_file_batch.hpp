// Reads many kept-open KernelFiles at once: a sample reads several small kernel files per container, and
// one pread each is one system call each, whose entry and exit can cost more than the kernel takes to
// format a single-value cgroup file. Here they are read through io_uring, one io_uring_enter per 256 files.
// KernelFile opens with O_NONBLOCK, which lets io_uring issue each read inline, in the submitting thread
// (cgroup and procfs files never return EAGAIN, so nothing goes to an io_uring worker thread); without it,
// procfs files (/proc/<pid>/net/dev) are punted to worker threads, which costs more than a pread.
// docs/performance.md has the figures and the command that measures them.
//
// Where io_uring is unavailable (an old kernel, kernel.io_uring_disabled, a seccomp profile that refuses
// it, as Docker's default does since 25.0, or systemd's SystemCallFilter) every file is read with one
// pread, as KernelFile::read does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/cgroup/kernel_file.hpp"

namespace cmon::sources {

class KernelFileBatch {
public:
    enum class Mode {
        automatic,   // io_uring when it can be set up, else pread
        pread_only,  // one pread per file
    };

    explicit KernelFileBatch(Mode mode = Mode::automatic);
    ~KernelFileBatch();
    KernelFileBatch(const KernelFileBatch&) = delete;
    KernelFileBatch& operator=(const KernelFileBatch&) = delete;

    // A queued read: its entry, and which batch it belongs to (each clear() starts a new one).
    struct Ticket {
        std::size_t index = 0;
        std::uint64_t generation = 0;
    };

    // Forgets the queued reads and their texts: tickets handed out before are void.
    void clear();
    // Queues a read of `file`, which must stay open and in place until run().
    Ticket add(const KernelFile& file);
    // Reads every file queued since clear(); each text is the whole file as KernelFile::read gives it.
    void run();
    // Whether run() read this ticket's file in the current batch (false for an earlier batch's ticket, or
    // before run()): a holder reads the file itself when not.
    bool holds(Ticket ticket) const {
        return ran_ && ticket.generation == generation_ && ticket.index < entries_.size();
    }
    // The text of a held ticket, valid until the next clear(); nullopt when that read failed (the cgroup or
    // process is gone) or the ticket is not held.
    std::optional<std::string_view> text(Ticket ticket) const;

    // Whether the next run() reads through io_uring; when not, why (empty while it does).
    bool uses_ring() const;
    const std::string& ring_status() const { return ring_status_; }

private:
    struct Ring;
    struct Entry {
        const KernelFile* file = nullptr;
        std::size_t offset = 0;    // of its slot in arena_
        std::size_t capacity = 0;  // of its slot
        std::int64_t result = 0;   // bytes read into the slot, or -errno
        int overflow = -1;         // index in overflow_ when the text did not fit the slot
    };

    void read_with_pread(Entry& entry);
    // Submits the ring entries in chunks of the ring's size and waits for all of them.
    bool read_with_ring();
    // The file was longer than its slot, or may be (seq_file stops at page boundaries): read the rest.
    void finish(Entry& entry);
    void drop_ring(std::string why);

    std::unique_ptr<Ring> ring_;
    bool ring_tried_ = false;
    std::string ring_status_;
    std::vector<Entry> entries_;
    std::string arena_;
    std::vector<std::string> overflow_;
    std::size_t overflow_used_ = 0;
    std::uint64_t generation_ = 1;
    bool ran_ = false;
};

}  // namespace cmon::sources
