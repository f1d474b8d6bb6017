// The "docker" source: which containers run (Docker API, GET only) and what they use (their cgroup files,
// read directly: microseconds per container). Falls back to the one-shot stats API, issued concurrently,
// only when no container's cgroup is reachable (a remote daemon). Counters only: the sampler derives
// cpu_percent and rates from two snapshots.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/cgroup/steady_tree.hpp"
#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/docker/list_watch.hpp"
#include "sources/pid_watch_bell.hpp"
#include "sources/docker/tracked_container.hpp"
#include "sources/host_paths.hpp"
#include "sources/source.hpp"
#include "util/clock.hpp"

namespace cmon::sources {

// Between two GET /containers/json, a local source takes the set of running containers as unchanged while
// no container init process exited, the cgroup directories that hold container cgroups keep their number
// of subdirectories, every container's files still read, and the daemon's socket still accepts. What none
// of that shows (a rename, pause/unpause) comes from the daemon's event log: followed on a stream kept
// open and looked at every collect, or where there is no stream, asked for this often (GET /events for the
// window since the last check). A list follows when a container event may change it, or when so many came
// at once that older ones may have dropped out of the daemon's buffer; where /events is not answered, a
// full list this often.
inline constexpr std::chrono::milliseconds kListRefresh{5000};
// A full list at least this often all the same.
inline constexpr std::chrono::milliseconds kListRefreshMax{60000};

struct ContainerSourceOptions {
    std::vector<std::string> label_allowlist;  // exact keys or "prefix*"; empty: no labels exported
    // Inspect a known container again every N collects (0: once per container, plus after a restart).
    // Above 0, the container list is fetched at every collect.
    int inspect_refresh = 0;
    // How often a local source checks the event log while it reuses the container list, and the longest
    // it reuses it (above); list_refresh 0: fetch the list at every collect.
    std::chrono::milliseconds list_refresh = kListRefresh;
    std::chrono::milliseconds list_refresh_max = kListRefreshMax;
    // Follow the event log on a stream (ListWatchOptions::follow_events); false: windows only.
    bool follow_events = true;
    unsigned max_parallel_stats = 8;  // stats API fallback: concurrent requests
    // How the kept cgroup files are read each collect: through io_uring where it works (automatic), or one
    // pread per file (pread_only: what a host without io_uring gets; bench_container_sample compares them).
    KernelFileBatch::Mode file_reads = KernelFileBatch::Mode::automatic;
    // Descriptors the source may keep open between collects: its share of the process's descriptor budget,
    // which app/ computes once (app/fd_limit.hpp) and passes here. Beyond it, files are opened per read.
    std::size_t keep_open_files = 1024;
    DockerClientOptions client;
};

// The source itself: the list watch decides whether to list, the tracked containers read their usage,
// the stats-API reader stands in for them when the daemon is remote.
class ContainerSource final : public Source {
public:
    // The endpoint is paths.docker_endpoint, else DOCKER_HOST, else the default socket.
    // Throws util::Error when that endpoint cannot be used at all (unsupported scheme).
    explicit ContainerSource(HostPaths paths, ContainerSourceOptions options = {});
    // The same with the clock the list policy reads; `clock` must outlive the source.
    ContainerSource(HostPaths paths, ContainerSourceOptions options, const util::Clock& clock);

    std::string_view name() const override { return "docker"; }
    // Throws util::Error when dockerd cannot be reached; containers vanishing mid-collect are skipped.
    void collect(model::Snapshot& draft) override;
    // How the last collect read the kept files: through io_uring, or why not (KernelFileBatch).
    bool reads_with_io_uring() const { return batch_.uses_ring(); }
    // Says so in the source health when io_uring was refused (the same data for more CPU).
    std::string health_note() const override {
        return options_.file_reads == KernelFileBatch::Mode::automatic ? batch_.ring_status() : std::string{};
    }
    // Container lists fetched so far (GET /containers/json that succeeded): the rest reused the last list.
    std::uint64_t lists_fetched() const { return list_watch_.lists(); }
    // Whether the daemon's event log is followed on a stream now (ListWatch::follow_events).
    bool following() const { return list_watch_.following(); }

private:
    // The last list's containers with their usage read now; nullopt when one of them cannot be read.
    std::optional<std::vector<model::ContainerStats>> rows_from_last_list();
    void collect_listed(model::Snapshot& draft, ListReason reason);
    // One poll for all watched init processes and the daemon; true when an init exited. After a list
    // (watches_changed_) it first recounts the kept descriptors and adds new watches to the bell.
    bool poll_watches();
    // Inspects when new, due, or (on a local host) when the cached init pid no longer belongs to it.
    // nullptr when the container vanished.
    TrackedContainer* refresh_inspect(const std::string& id);
    // Reads the kept files of every tracked container in one batch, for TrackedContainer::read_usage,
    // after their parents (SteadyTree); `steady_allowed`: idle containers under an unmoved parent are
    // not read (CgroupHandle::Round).
    void read_kept_files(bool steady_allowed);
    // Which kept parent tree each tracked container (in tracked_'s order) reads against, made after a
    // list changed tracked_ (not every collect: that looked up every container's parent every second).
    void plan_trees();
    // The cgroup directories that hold the tracked containers' cgroups, and Docker's defaults.
    std::vector<std::filesystem::path> parent_dirs() const;

    HostPaths paths_;
    ContainerSourceOptions options_;
    DockerClient client_;
    CgroupReader cgroups_;
    ListWatch list_watch_;
    PidWatchBell exit_bell_;  // over every init watch and the daemon's
    std::unordered_map<std::string, TrackedContainer> tracked_;
    bool watches_changed_ = true;
    bool all_watched_ = false;  // every tracked container fully watched, as of the last list
    bool local_cgroups_ = false;  // the last collect found container cgroups on this host
    KeptFiles kept_;
    std::string buffer_;  // reused for /proc/<pid>/net/dev
    KernelFileBatch batch_;
    // The parents of the kept containers' cgroups, by their CPU file; `round` is the last plan_trees()
    // that used the tree (unused ones are dropped).
    struct Tree {
        SteadyTree tree;
        std::filesystem::path memory_file;
        std::uint64_t round = 0;
    };
    std::map<std::filesystem::path, Tree> trees_;
    std::uint64_t round_ = 0;
    // Every tracked container's parent_tree is what plan_trees() made of tracked_ as it is now, and every
    // tree it wants is open. A container tracked since has no tree and is read whole at every sample.
    bool trees_planned_ = false;
    // The rows of the last successful list as the list and the inspects made them, before any usage: what
    // a collect that reuses the list starts from; and their tracked containers (the map's nodes stay put
    // until a list changes it).
    std::vector<model::ContainerStats> last_rows_;
    std::vector<TrackedContainer*> last_owners_;  // emptied while a list changes tracked_
};

}  // namespace cmon::sources
