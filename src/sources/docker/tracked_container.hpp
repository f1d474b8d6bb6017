// One running container as the docker source follows it between collects (cAdvisor's per-container
// handler): its inspect details, a pidfd on its init process, and on a local host its cgroup files and
// /proc/<pid>/net/dev kept open (one pread per file per sample) until the container goes, restarts or a
// read fails. Reads its usage into a row; knows nothing of the container list.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "model/snapshot.hpp"
#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/cgroup/kernel_file.hpp"
#include "sources/cgroup/kernel_file_batch.hpp"
#include "sources/cgroup/steady_tree.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/pid_watch.hpp"

namespace cmon::sources {

// The descriptors all tracked containers keep open, against the share of the process's descriptor budget
// the source was given (app/fd_limit.hpp). Beyond it, files are opened for each read.
struct KeptFiles {
    std::size_t kept = 0;  // counted at the start of a collect, then added to as files are kept
    std::size_t budget = 0;
    bool may_keep(std::size_t more) const { return kept + more <= budget; }
};

class TrackedContainer {
public:
    DockerInspect inspect;
    int collects_since_inspect = 0;
    bool inspected = false;    // false: the last inspect failed; the row is kept without its details
    bool pid_checked = false;  // /proc/<pid>/cgroup was checked against the id once
    PidWatch init_watch;       // the init process; empty without pidfds (then /proc is checked each time)
    bool init_exited = false;  // set by the one poll at the start of each collect
    // Its parent cgroup's tree as ContainerSource last planned it (the tree stays in the source's map until
    // the next plan). Null: none, and it is read as under a parent that moved.
    const SteadyTree* parent_tree = nullptr;

    std::size_t open_files() const;
    // Everything a reused list needs followed: details, kept files and a watch on the init process.
    bool fully_watched() const { return inspected && cgroup_ && init_watch; }
    // The directory of its cgroup while its files are kept; empty otherwise.
    std::filesystem::path cgroup_dir() const { return cgroup_ ? cgroup_->dir() : std::filesystem::path{}; }

    // Whether the inspected init pid no longer belongs to container `id` (it restarted with a new init).
    // On first success opens the watch that answers this from then on. Always false off a local host.
    bool pid_is_stale(const std::string& id, const std::filesystem::path& proc, bool local);

    // Queues the reads of the kept files into `batch`; this object must stay in place until batch.run().
    // `tree`: what its parent cgroup says of the subtree since the last sample (SteadyTree).
    void queue(KernelFileBatch& batch, TreeState tree = {});
    // The next read_usage reads every kept file (CgroupHandle::read_whole_next).
    void read_whole_next() {
        if (cgroup_) cgroup_->read_whole_next();
    }
    // Its kept cgroup's parent CPU and memory files (CgroupHandle), empty paths without kept files.
    const std::filesystem::path& parent_cpu_file() const { return cgroup_ ? cgroup_->parent_cpu_file() : kNoPath; }
    const std::filesystem::path& parent_memory_file() const {
        return cgroup_ ? cgroup_->parent_memory_file() : kNoPath;
    }
    // Fills the row's usage and network from the container's cgroup and net/dev (the batch's texts where it
    // holds them, else a read now), locating and keeping the files when not kept yet. False when no cgroup
    // of it is reachable: it vanished, or the daemon is remote (then /proc/<pid> here is another process).
    bool read_usage(model::ContainerStats& row, const CgroupReader& cgroups, const std::filesystem::path& proc,
                    const KernelFileBatch& batch, std::string& buffer, KeptFiles& kept);

    // An idle container in a steady tree with a network interface besides lo has its network counters
    // read every this many of its reads (packets arrive whether or not anything in it runs).
    static constexpr unsigned kSteadyNetworkEvery = 10;

private:
    static inline const std::filesystem::path kNoPath;
    // Whether the next read_usage repeats the last network counters (decided by the round queued).
    bool network_repeats() const;
    std::optional<CgroupHandle> cgroup_;
    KernelFile net_dev_;  // /proc/<pid>/net/dev of the init process: its network namespace
    // Where the last queue() put net_dev_'s text (while the batch holds it).
    std::optional<KernelFileBatch::Ticket> net_dev_ticket_;
    // The last network counters read; repeated while the cgroup repeats itself (an idle container, see
    // CgroupHandle::Round), as its network namespace's counters do not move either.
    std::optional<model::ContainerStats> last_network_;
};

}  // namespace cmon::sources
