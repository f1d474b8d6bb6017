#include "sources/docker/tracked_container.hpp"

#include <cstdint>
#include <utility>

#include "sources/docker/container_row.hpp"
#include "sources/host/net_dev_parser.hpp"
#include "util/file.hpp"

namespace cmon::sources {

std::size_t TrackedContainer::open_files() const {
    return (cgroup_ ? cgroup_->open_files() : 0) + (net_dev_ ? 1 : 0) + (init_watch ? 1 : 0);
}

bool TrackedContainer::pid_is_stale(const std::string& id, const std::filesystem::path& proc, bool local) {
    if (!local || !inspect.pid) {
        return false;  // remote daemon: the pid means nothing here; rely on inspect_refresh
    }
    if (init_watch) {
        return init_exited;  // the process checked below once, watched since
    }
    // The watch is opened before the check: were the number reused in between, the check sees the other
    // process's cgroup (stale), never a watch on a stranger that passed the check.
    PidWatch watch = pid_checked ? PidWatch{} : PidWatch::open(*inspect.pid);
    auto text = util::read_text_file(proc / std::to_string(*inspect.pid) / "cgroup");
    // Gone, or reused by a process outside the container: the container restarted with a new init.
    bool stale = !text || text->find(id) == std::string::npos;
    if (!stale && !pid_checked) {
        pid_checked = true;
        init_watch = std::move(watch);  // empty: /proc is checked every collect
    }
    return stale;
}

bool TrackedContainer::network_repeats() const {
    if (!cgroup_ || !last_network_) return false;
    switch (cgroup_->queued_round()) {
        case CgroupHandle::Round::complete:
            return false;
        case CgroupHandle::Round::cpu_only:
            return true;  // unless the CPU moved: read_usage reads it then
        case CgroupHandle::Round::memory:
        case CgroupHandle::Round::none:
            // Packets may arrive at an idle container without waking anything in it; a namespace with no
            // interface but lo (--network none) has nothing to count, and one that gets an interface says
            // so in the event log (network connect), after which every container is read whole.
            return last_network_->network_interfaces.empty() || cgroup_->reads() % kSteadyNetworkEvery != 0;
    }
    return false;
}

void TrackedContainer::queue(KernelFileBatch& batch, TreeState tree) {
    net_dev_ticket_.reset();
    if (cgroup_) cgroup_->queue(batch, tree);
    if (net_dev_ && !network_repeats()) net_dev_ticket_ = batch.add(net_dev_);
}

bool TrackedContainer::read_usage(model::ContainerStats& row, const CgroupReader& cgroups,
                                  const std::filesystem::path& proc, const KernelFileBatch& batch, std::string& buffer,
                                  KeptFiles& kept) {
    CgroupStats stats;
    const bool network_repeats = this->network_repeats();
    const bool cpu_only = cgroup_ && cgroup_->queued_round() == CgroupHandle::Round::cpu_only;
    if (cgroup_) {
        stats = cgroup_->read(&batch);
        if (!stats.found) {
            cgroup_.reset();  // removed (stopped, restarted): locate it again below
            net_dev_ = KernelFile{};
            net_dev_ticket_.reset();
            last_network_.reset();
        }
    }
    if (!stats.found) {
        CgroupHandle handle = cgroups.open_container(row.id, row.init_pid);
        stats = handle.read();
        if (stats.found && inspected && kept.may_keep(handle.open_files() + 1)) {
            kept.kept += handle.open_files();
            cgroup_ = std::move(handle);
        }
    }
    if (!stats.found) {
        return false;
    }
    set_usage(row, stats);
    if (!row.init_pid) {
        return true;
    }
    // A container woken in a CPU-only round is read whole, its network too.
    if (cgroup_ && network_repeats && !(cpu_only && !cgroup_->repeated())) {
        row.network_rx = last_network_->network_rx;
        row.network_tx = last_network_->network_tx;
        row.network_interfaces = last_network_->network_interfaces;
        return true;
    }
    // The container's own network namespace, seen through its init process (lo excluded).
    KernelFile transient;
    KernelFile* net_dev = &net_dev_;
    if (!net_dev_) {
        transient = KernelFile::open(proc / std::to_string(*row.init_pid) / "net" / "dev");
        if (transient && cgroup_ && kept.may_keep(1)) {
            ++kept.kept;
            net_dev_ = std::move(transient);
        } else {
            net_dev = &transient;
        }
    }
    // The batch's text only for the very file it read (not one opened since under the same descriptor).
    const bool batched = net_dev == &net_dev_ && net_dev_ticket_ && batch.holds(*net_dev_ticket_);
    auto text = batched ? batch.text(*net_dev_ticket_) : net_dev->read(buffer);
    if (!text) {
        return true;
    }
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    for (const auto& entry : parse_net_dev(*text)) {
        if (entry.name != "lo") {
            rx += entry.rx_bytes;
            tx += entry.tx_bytes;
            row.network_interfaces.push_back({entry.name, entry.rx_bytes, entry.rx_packets, entry.rx_errors,
                                              entry.rx_dropped, entry.tx_bytes, entry.tx_packets, entry.tx_errors,
                                              entry.tx_dropped});
        }
    }
    set_network(row, rx, tx);
    if (net_dev == &net_dev_) {
        model::ContainerStats kept;
        kept.network_rx = row.network_rx;
        kept.network_tx = row.network_tx;
        kept.network_interfaces = row.network_interfaces;
        last_network_ = std::move(kept);
    }
    return true;
}

}  // namespace cmon::sources
