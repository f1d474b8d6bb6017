// The "docker" source: which containers run (Docker API, GET only) and what they use (their cgroup files,
// read directly: microseconds per container). Falls back to the one-shot stats API, issued concurrently,
// only when no container's cgroup is reachable (a remote daemon). Counters only: the sampler derives
// cpu_percent and rates from two snapshots.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sources/cgroup/cgroup_reader.hpp"
#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "sources/docker/pid_watch.hpp"
#include "sources/host_paths.hpp"
#include "sources/source.hpp"

namespace cmon::sources {

// Between two GET /containers/json, a local source takes the set of running containers as unchanged while
// no container init process exited, the cgroup directories that hold container cgroups keep their number
// of subdirectories, every container's files still read, and the daemon's socket still accepts. What none
// of that shows (a rename, pause/unpause) is asked of the daemon's event log this often (GET /events for
// the window since the last check; a list follows when a container event may change it, or when the
// window is so full that older events may have dropped out of the daemon's buffer), or picked up by a
// full list this often where /events is not answered.
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
    unsigned max_parallel_stats = 8;  // stats API fallback: concurrent requests
    // How the kept cgroup files are read each collect: through io_uring where it works (automatic), or one
    // pread per file (pread_only: what a host without io_uring gets; the benchmark compares the two).
    KernelFileBatch::Mode file_reads = KernelFileBatch::Mode::automatic;
    DockerClientOptions client;
};

class ContainerSource final : public Source {
public:
    // The endpoint is paths.docker_endpoint, else DOCKER_HOST, else the default socket.
    // Throws util::Error when that endpoint cannot be used at all (unsupported scheme).
    explicit ContainerSource(HostPaths paths, ContainerSourceOptions options = {});

    std::string_view name() const override { return "docker"; }
    // Throws util::Error when dockerd cannot be reached; containers vanishing mid-collect are skipped.
    void collect(model::Snapshot& draft) override;
    // How the last collect read the kept files: through io_uring, or why not (KernelFileBatch).
    bool reads_with_io_uring() const { return batch_.uses_ring(); }
    // Says so in the source health when io_uring was refused (the same data for 40-75 % more CPU).
    std::string health_note() const override {
        return options_.file_reads == KernelFileBatch::Mode::automatic ? batch_.ring_status() : std::string{};
    }

private:
    // What is kept per running container between collects. On a local host the files stay open (one pread
    // per file per sample) until the container goes, restarts or a read fails.
    struct Known {
        DockerInspect inspect;
        int collects_since_inspect = 0;
        bool inspected = false;    // false: the last inspect failed; the row is kept without its details
        bool pid_checked = false;  // /proc/<pid>/cgroup was checked against the id once
        PidWatch init_watch;       // the init process; empty without pidfds (then /proc is checked each time)
        bool init_exited = false;  // set by the one poll at the start of each collect
        std::optional<CgroupHandle> cgroup;
        KernelFile net_dev;  // /proc/<pid>/net/dev of the init process: its network namespace
        // Where the last read_kept_files() put net_dev's text (while batch_ holds it).
        std::optional<KernelFileBatch::Ticket> net_dev_ticket;
        std::size_t open_files() const;
    };

    // A cgroup directory that holds container cgroups, as stat(2) saw it: kernfs counts subdirectories in
    // st_nlink, so a container cgroup created or removed below it changes the stamp.
    struct ParentDir {
        std::filesystem::path path;
        std::uint64_t inode = 0;
        std::uint64_t links = 0;
        std::int64_t mtime_ns = 0;
        bool operator==(const ParentDir&) const = default;
    };
    // events: ask the daemon's event log whether a list is due (list_changed_since_last_list).
    enum class ListReason { none, routine, change, events };

    // Whether this collect fetches the container list, and why (a change: fetch again at the next one too,
    // in case a container was caught between its cgroup appearing and Docker calling it running).
    ListReason list_reason(bool init_exited) const;
    // GET /events since the last list: true when a container event after that list's request may change
    // what it shows, or when the daemon does not answer /events (then lists are routine again).
    bool list_changed_since_last_list();
    // The last list's containers with their usage read now; nullopt when one of them cannot be read.
    std::optional<std::vector<model::ContainerStats>> rows_from_last_list();
    void collect_listed(model::Snapshot& draft, ListReason reason);
    model::ContainerStats row_of(const DockerContainerSummary& summary, const Known& known) const;
    // One poll for all watched init processes; true when any exited. Also recounts kept descriptors.
    bool poll_init_watches();
    static ParentDir stamp(std::filesystem::path path);
    std::vector<ParentDir> current_parents() const;

    // Inspects when new, due, or (on a local host) when the cached init pid no longer belongs to it.
    // nullptr when the container vanished.
    Known* refresh_inspect(const std::string& id);
    bool pid_is_stale(const std::string& id, Known& known) const;
    // Reads the kept files (cgroup, net/dev) of every known container in one batch, for fill_from_cgroups.
    void read_kept_files();
    // False when the container's cgroup is not reachable from here.
    bool fill_from_cgroups(model::ContainerStats& row, Known& known);
    void fill_from_stats_api(std::vector<model::ContainerStats>& rows);
    // Whether `more` descriptors may be kept open on top of those kept now (a share of RLIMIT_NOFILE).
    bool may_keep_open(std::size_t more) const;

    HostPaths paths_;
    ContainerSourceOptions options_;
    DockerClient client_;
    CgroupReader cgroups_;
    std::unordered_map<std::string, Known> known_;
    bool local_cgroups_ = false;  // the last collect found container cgroups on this host
    std::size_t kept_open_ = 0;   // descriptors held by known_, counted at the start of a collect
    std::size_t keep_budget_ = 0;
    std::string buffer_;  // reused for /proc/<pid>/net/dev
    KernelFileBatch batch_;
    // The last successful list (labels already filtered), when it was fetched, and the stamps of the
    // cgroup parents taken right after it.
    std::vector<DockerContainerSummary> last_list_;
    std::optional<std::chrono::steady_clock::time_point> listed_at_;
    std::int64_t list_started_ns_ = 0;  // wall clock (Unix ns) when the last list was asked for
    std::chrono::steady_clock::time_point events_checked_at_{};
    std::int64_t events_until_ns_ = 0;  // the end of the last /events window
    bool events_usable_ = true;
    std::vector<ParentDir> parents_;
    bool list_next_ = true;
    // The process listening on the daemon's unix socket (dockerd), watched between lists; empty when its
    // pid is not visible here: then the socket is probed with a connect at each collect that skips the list.
    PidWatch daemon_watch_;
    bool daemon_exited_ = false;
};

}  // namespace cmon::sources
