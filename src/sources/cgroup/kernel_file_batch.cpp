#include "sources/cgroup/kernel_file_batch.hpp"

#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace cmon::sources {

namespace {

// Submission queue size: reads go in chunks of this many per io_uring_enter. 256 SQEs and 512 CQEs are
// ~24 KiB of ring memory.
constexpr unsigned kRingEntries = 256;
// A file read for the first time gets this much room (single-value cgroup files need ~20 bytes; a longer
// one is completed with pread once); later ones get 1.5× their last size plus 64 bytes.
constexpr std::size_t kFirstSlot = 512;
constexpr std::size_t kMaxSlot = 1 << 20;

std::size_t slot_for(std::uint32_t last_size) {
    if (last_size == 0) return kFirstSlot;
    const std::size_t want = last_size + last_size / 2 + 64;
    return std::min(kMaxSlot, (want + 63) / 64 * 64);
}

}  // namespace

struct KernelFileBatch::Ring {
    io_uring ring{};
    bool live = false;
    Ring() = default;
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
    ~Ring() {
        if (live) io_uring_queue_exit(&ring);
    }
};

KernelFileBatch::KernelFileBatch(Mode mode) {
    if (mode == Mode::pread_only) {
        ring_tried_ = true;
        ring_status_ = "io_uring not used (pread asked for)";
    }
}

KernelFileBatch::~KernelFileBatch() = default;

bool KernelFileBatch::uses_ring() const { return ring_ != nullptr || !ring_tried_; }

void KernelFileBatch::clear() {
    entries_.clear();
    overflow_used_ = 0;
    ++generation_;
    ran_ = false;
}

KernelFileBatch::Ticket KernelFileBatch::add(const KernelFile& file) {
    Entry entry;
    entry.file = &file;
    entry.offset = entries_.empty() ? 0 : entries_.back().offset + entries_.back().capacity;
    entry.capacity = slot_for(file.last_size_);
    entries_.push_back(entry);
    return Ticket{entries_.size() - 1, generation_};
}

void KernelFileBatch::drop_ring(std::string why) {
    ring_.reset();
    ring_tried_ = true;
    ring_status_ = std::move(why);
}

void KernelFileBatch::run() {
    ran_ = true;
    if (entries_.empty()) return;
    const std::size_t bytes = entries_.back().offset + entries_.back().capacity;
    // Grows, and shrinks only when far too big (after many containers went): no zero-fill per sample.
    if (arena_.size() < bytes || (arena_.size() > 4 * bytes && arena_.size() > (64U << 10))) {
        arena_ = std::string(bytes, '\0');
    }

    if (!ring_tried_) {
        ring_tried_ = true;
        auto ring = std::make_unique<Ring>();
        if (const int rc = io_uring_queue_init(kRingEntries, &ring->ring, 0); rc < 0) {
            ring_status_ = std::string("io_uring unavailable (") + std::strerror(-rc) + "): one pread per file";
        } else {
            ring->live = true;
            ring_ = std::move(ring);
        }
    }
    for (auto& entry : entries_) {
        entry.result = -EBADF;  // a file that is not open stays so
        entry.overflow = -1;
    }
    const bool by_ring = ring_ && read_with_ring();
    for (auto& entry : entries_) {
        if (!by_ring) read_with_pread(entry);  // no ring, or it failed as a whole
        finish(entry);
    }
}

bool KernelFileBatch::read_with_ring() {
    std::vector<Entry*> pending;
    for (auto& entry : entries_) {
        if (entry.file->fd_) pending.push_back(&entry);
    }
    io_uring* ring = &ring_->ring;
    for (std::size_t start = 0; start < pending.size(); start += kRingEntries) {
        const std::size_t count = std::min<std::size_t>(kRingEntries, pending.size() - start);
        for (std::size_t i = 0; i < count; ++i) {
            Entry* entry = pending[start + i];
            io_uring_sqe* sqe = io_uring_get_sqe(ring);
            if (sqe == nullptr) {
                drop_ring("io_uring: no submission entry free: one pread per file");
                return false;
            }
            io_uring_prep_read(sqe, entry->file->fd_.get(), arena_.data() + entry->offset,
                               static_cast<unsigned>(entry->capacity), 0);
            io_uring_sqe_set_data(sqe, entry);
        }
        int submitted = 0;
        do {
            submitted = io_uring_submit(ring);
        } while (submitted == -EINTR);
        if (submitted < 0) {  // nothing was submitted
            drop_ring(std::string("io_uring_enter failed (") + std::strerror(-submitted) + "): one pread per file");
            return false;
        }
        std::size_t done = 0;
        while (done < static_cast<std::size_t>(submitted)) {
            io_uring_cqe* cqe = nullptr;
            const int rc = io_uring_wait_cqe(ring, &cqe);
            if (rc == -EINTR) continue;
            if (rc < 0) {
                drop_ring(std::string("io_uring wait failed (") + std::strerror(-rc) + "): one pread per file");
                return false;
            }
            unsigned head = 0;
            unsigned seen = 0;
            io_uring_for_each_cqe(ring, head, cqe) {
                static_cast<Entry*>(io_uring_cqe_get_data(cqe))->result = cqe->res;
                ++seen;
            }
            io_uring_cq_advance(ring, seen);
            done += seen;
        }
        if (static_cast<std::size_t>(submitted) < count) {  // the rest were refused: read them all with pread
            drop_ring("io_uring took only part of a batch: one pread per file");
            return false;
        }
    }
    return true;
}

void KernelFileBatch::read_with_pread(Entry& entry) {
    if (!entry.file->fd_) {
        entry.result = -EBADF;
        return;
    }
    ssize_t n = 0;
    do {
        n = ::pread(entry.file->fd_.get(), arena_.data() + entry.offset, entry.capacity, 0);
    } while (n < 0 && errno == EINTR);
    entry.result = n < 0 ? -errno : n;
}

void KernelFileBatch::finish(Entry& entry) {
    if (entry.result == -EINTR || entry.result == -EAGAIN) read_with_pread(entry);
    if (entry.result < 0) return;
    const auto got = static_cast<std::size_t>(entry.result);
    if (got < entry.capacity && got < KernelFile::kShortReadIsEnd) {
        entry.file->last_size_ = static_cast<std::uint32_t>(got);
        return;
    }
    // The slot was too small, or a multi-record file may go on: copy what came and read the rest.
    if (overflow_used_ == overflow_.size()) overflow_.emplace_back();
    std::string& buffer = overflow_[overflow_used_];
    if (buffer.size() < got) buffer.resize(got);
    std::memcpy(buffer.data(), arena_.data() + entry.offset, got);
    if (auto whole = entry.file->read_rest(buffer, got)) {
        entry.overflow = static_cast<int>(overflow_used_++);
        entry.result = static_cast<std::int64_t>(whole->size());
    } else {
        entry.result = -EIO;
    }
}

std::optional<std::string_view> KernelFileBatch::text(Ticket ticket) const {
    if (!holds(ticket)) return std::nullopt;
    const Entry& entry = entries_[ticket.index];
    if (entry.result < 0) return std::nullopt;
    if (entry.overflow >= 0) {
        return std::string_view(overflow_[static_cast<std::size_t>(entry.overflow)].data(),
                                static_cast<std::size_t>(entry.result));
    }
    return std::string_view(arena_.data() + entry.offset, static_cast<std::size_t>(entry.result));
}

}  // namespace cmon::sources
