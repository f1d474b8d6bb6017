// ContainerSource: Docker API for identity, cgroup files for usage, stats API only as the remote fallback.
#include "sources/docker/container_source.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <optional>
#include <utility>

#include "sources/docker/daemon_probe.hpp"
#include "sources/host/net_dev_parser.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace cmon::sources {

namespace {

std::string message_of(const DockerResponse& response) {
    // Engine errors are {"message": "..."}; keep the raw text short if it is not.
    std::string body = response.body.substr(0, 200);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
        body.pop_back();
    }
    return body;
}

model::ByteCounter counter(std::uint64_t bytes) { return model::ByteCounter{bytes, std::nullopt}; }

std::optional<model::ByteCounter> counter(const std::optional<std::uint64_t>& bytes) {
    return bytes ? std::optional(counter(*bytes)) : std::nullopt;
}

// Descriptors kept open for container files: a quarter of the soft RLIMIT_NOFILE (the rest is for HTTP
// connections and everything else), at most 16384. Beyond it, files are opened for each read as before.
std::size_t keep_open_budget() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 16384;
    }
    return std::min<std::size_t>(static_cast<std::size_t>(limit.rlim_cur) / 4, 16384);
}

// The wall clock in Unix nanoseconds, as Docker's event times are.
std::int64_t unix_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// dockerd answers a GET /events window from a buffer of its latest events of every type (256 in moby's
// daemon/events; a 28-s run of 300 pause/unpause events here gave back 249 for since=0). A window with
// half as many events is taken as one that may have lost older ones; the 60-s full list covers the rest.
constexpr std::size_t kEventsMayBeLost = 128;

// Container events after which GET /containers/json may show something else (a name, a state, a
// container). Frequent ones that change nothing there (exec, health checks, attach, top, copies) do not.
bool event_changes_list(std::string_view action) {
    constexpr std::string_view kNoChange[] = {"exec_",  "health_status", "attach", "detach",         "resize",
                                              "top",    "archive-path",  "copy",   "extract-to-dir", "export",
                                              "commit", "mount",         "unmount"};
    return std::none_of(std::begin(kNoChange), std::end(kNoChange),
                        [action](std::string_view prefix) { return action.starts_with(prefix); });
}

}  // namespace

ContainerSource::ContainerSource(HostPaths paths, ContainerSourceOptions options)
    : paths_(std::move(paths)),
      options_(std::move(options)),
      client_(docker_host_from_environment(paths_.docker_endpoint), options_.client),
      cgroups_(paths_),
      batch_(options_.file_reads) {}

std::size_t ContainerSource::Known::open_files() const {
    return (cgroup ? cgroup->open_files() : 0) + (net_dev ? 1 : 0) + (init_watch ? 1 : 0);
}

bool ContainerSource::may_keep_open(std::size_t more) const { return kept_open_ + more <= keep_budget_; }

bool ContainerSource::pid_is_stale(const std::string& id, Known& known) const {
    if (!local_cgroups_ || !known.inspect.pid) {
        return false;  // remote daemon: the pid means nothing here; rely on inspect_refresh
    }
    if (known.init_watch) {
        return known.init_exited;  // the process checked below once, watched since
    }
    // The watch is opened before the check: were the number reused in between, the check sees the other
    // process's cgroup (stale), never a watch on a stranger that passed the check.
    PidWatch watch = known.pid_checked ? PidWatch{} : PidWatch::open(*known.inspect.pid);
    auto text = util::read_text_file(paths_.proc / std::to_string(*known.inspect.pid) / "cgroup");
    // Gone, or reused by a process outside the container: the container restarted with a new init.
    bool stale = !text || text->find(id) == std::string::npos;
    if (!stale && !known.pid_checked) {
        known.pid_checked = true;
        known.init_watch = std::move(watch);  // empty: /proc is checked every collect
    }
    return stale;
}

ContainerSource::Known* ContainerSource::refresh_inspect(const std::string& id) {
    auto it = known_.find(id);
    if (it != known_.end()) {
        ++it->second.collects_since_inspect;
        bool due = options_.inspect_refresh > 0 && it->second.collects_since_inspect >= options_.inspect_refresh;
        if (it->second.inspected && !due && !pid_is_stale(id, it->second)) {
            return &it->second;
        }
    }
    auto response = client_.get(DockerRequest::container_inspect(id));
    if (response.status == 404) {
        known_.erase(id);
        return nullptr;  // removed between list and inspect
    }
    auto parsed = response.ok() ? parse_container_inspect(response.body) : std::nullopt;
    auto& entry = known_[id];
    entry = Known{};
    if (parsed) {
        // A daemon-side hiccup for one container (HTTP 500, odd body) leaves inspected false: the row is
        // kept without its details and inspected again next collect.
        entry.inspect = std::move(*parsed);
        entry.inspected = true;
    }
    return &entry;
}

void ContainerSource::read_kept_files() {
    batch_.clear();
    for (auto& [id, known] : known_) {
        if (known.cgroup) known.cgroup->queue(batch_);
        if (known.net_dev) known.net_dev_ticket = batch_.add(known.net_dev);
    }
    batch_.run();
}

bool ContainerSource::fill_from_cgroups(model::ContainerStats& row, Known& known) {
    CgroupStats stats;
    if (known.cgroup) {
        stats = known.cgroup->read(&batch_);
        if (!stats.found) {
            known.cgroup.reset();  // removed (stopped, restarted): locate it again below
            known.net_dev = KernelFile{};
            known.net_dev_ticket.reset();
        }
    }
    if (!stats.found) {
        CgroupHandle handle = cgroups_.open_container(row.id, row.init_pid);
        stats = handle.read();
        if (stats.found && known.inspected && may_keep_open(handle.open_files() + 1)) {
            kept_open_ += handle.open_files();
            known.cgroup = std::move(handle);
        }
    }
    if (!stats.found) {
        return false;  // vanished, or a remote daemon: then /proc/<pid> here is some other process
    }
    row.cpu_time_ns_total = stats.cpu_time_ns_total;
    row.memory_usage_bytes = stats.memory_usage_bytes;
    row.memory_working_set_bytes = stats.memory_working_set_bytes;
    row.memory_limit_bytes = stats.memory_limit_bytes;
    row.pids = stats.pids;
    row.block_read = counter(stats.block_read_bytes_total);
    row.block_write = counter(stats.block_write_bytes_total);
    row.cpu_user_ns_total = stats.cpu_user_ns_total;
    row.cpu_system_ns_total = stats.cpu_system_ns_total;
    row.memory_rss_bytes = stats.memory_rss_bytes;
    row.memory_cache_bytes = stats.memory_cache_bytes;
    row.memory_swap_bytes = stats.memory_swap_bytes;
    row.memory_failcnt = stats.memory_failcnt;
    row.oom_kill_events_total = stats.oom_kill_events_total;
    row.cpu_quota_us = stats.cpu_quota_us;
    row.cpu_period_us = stats.cpu_period_us;
    if (!row.init_pid) {
        return true;
    }
    // The container's own network namespace, seen through its init process (lo excluded).
    KernelFile transient;
    KernelFile* net_dev = &known.net_dev;
    if (!known.net_dev) {
        transient = KernelFile::open(paths_.proc / std::to_string(*row.init_pid) / "net" / "dev");
        if (transient && known.cgroup && may_keep_open(1)) {
            ++kept_open_;
            known.net_dev = std::move(transient);
        } else {
            net_dev = &transient;
        }
    }
    // The batch's text only for the very file it read (not one opened since under the same descriptor).
    const bool batched = net_dev == &known.net_dev && known.net_dev_ticket && batch_.holds(*known.net_dev_ticket);
    auto text = batched ? batch_.text(*known.net_dev_ticket) : net_dev->read(buffer_);
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
    row.network_rx = counter(rx);
    row.network_tx = counter(tx);
    return true;
}

void ContainerSource::fill_from_stats_api(std::vector<model::ContainerStats>& rows) {
    std::vector<std::optional<DockerStats>> results(rows.size());
    std::vector<std::string> errors(rows.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < rows.size(); i = next++) {
            try {
                auto response = client_.get(DockerRequest::container_stats(rows[i].id));
                if (response.ok()) {
                    results[i] = parse_container_stats(response.body);
                }
            } catch (const util::Error& e) {
                errors[i] = e.what();  // this container only; all failing means the daemon is down (below)
            }
        }
    };
    std::size_t workers = std::clamp<std::size_t>(options_.max_parallel_stats, 1, rows.size());
    std::vector<std::future<void>> running;
    running.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) {
        running.push_back(std::async(std::launch::async, worker));
    }
    for (auto& f : running) {
        f.get();
    }
    if (std::all_of(errors.begin(), errors.end(), [](const std::string& e) { return !e.empty(); })) {
        throw util::Error(errors.front());
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!results[i]) {
            continue;
        }
        const DockerStats& s = *results[i];
        auto& row = rows[i];
        row.cpu_time_ns_total = s.cpu_time_ns_total;
        row.memory_usage_bytes = s.memory_usage_bytes;
        row.memory_working_set_bytes = s.memory_working_set_bytes;
        row.memory_limit_bytes = s.memory_limit_bytes;
        row.pids = s.pids;
        row.network_rx = counter(s.network_rx_bytes);
        row.network_tx = counter(s.network_tx_bytes);
        row.block_read = counter(s.block_read_bytes);
        row.block_write = counter(s.block_write_bytes);
    }
}

bool ContainerSource::poll_init_watches() {
    std::vector<Known*> watched;
    std::vector<const PidWatch*> watches;
    kept_open_ = 0;
    for (auto& [id, known] : known_) {
        kept_open_ += known.open_files();
        if (known.init_watch) {
            watched.push_back(&known);
            watches.push_back(&known.init_watch);
        }
    }
    watches.push_back(&daemon_watch_);  // last; an empty watch is skipped by poll
    auto exited = PidWatch::exited(watches);
    daemon_exited_ = exited.back();
    bool any = false;
    for (std::size_t i = 0; i < watched.size(); ++i) {
        watched[i]->init_exited = exited[i];
        any = any || exited[i];
    }
    keep_budget_ = keep_open_budget();
    return any;
}

ContainerSource::ParentDir ContainerSource::stamp(std::filesystem::path path) {
    ParentDir dir{.path = std::move(path)};
    struct stat st {};
    if (::stat(dir.path.c_str(), &st) == 0) {
        dir.inode = st.st_ino;
        dir.links = st.st_nlink;
        dir.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    return dir;
}

std::vector<ContainerSource::ParentDir> ContainerSource::current_parents() const {
    std::vector<std::filesystem::path> paths = cgroups_.default_container_parents();
    for (const auto& [id, known] : known_) {
        if (known.cgroup && !known.cgroup->dir().empty()) {
            auto parent = known.cgroup->dir().parent_path();
            if (std::find(paths.begin(), paths.end(), parent) == paths.end()) paths.push_back(std::move(parent));
        }
    }
    std::vector<ParentDir> out;
    out.reserve(paths.size());
    for (auto& path : paths) out.push_back(stamp(std::move(path)));
    return out;
}

ContainerSource::ListReason ContainerSource::list_reason(bool init_exited) const {
    const bool reusable = local_cgroups_ && listed_at_ && options_.list_refresh.count() > 0 &&
                          options_.inspect_refresh <= 0 &&
                          client_.host().transport == DockerHost::Transport::unix_socket;
    const auto now = std::chrono::steady_clock::now();
    const auto listed_for = now - *listed_at_;
    if (!reusable || list_next_ || listed_for >= options_.list_refresh_max ||
        (!events_usable_ && listed_for >= options_.list_refresh)) {
        return ListReason::routine;
    }
    if (init_exited) return ListReason::change;
    for (const auto& [id, known] : known_) {
        // Without its files or its watch, a container is checked the old way: through a list every collect.
        if (!known.inspected || !known.cgroup || !known.init_watch) return ListReason::routine;
    }
    for (const auto& parent : parents_) {
        if (!(stamp(parent.path) == parent)) return ListReason::change;
    }
    // A daemon that went away: the list request fails and says so (health goes not-ok at once).
    if (daemon_exited_ || (!daemon_watch_ && !unix_socket_listening(client_.host().socket_path))) {
        return ListReason::routine;
    }
    // What none of the above shows (a rename, pause/unpause): asked of the daemon's event log.
    if (now - std::max(*listed_at_, events_checked_at_) >= options_.list_refresh) return ListReason::events;
    return ListReason::none;
}

bool ContainerSource::list_changed_since_last_list() {
    // The window starts a second before the end of the last one (or the last list), in case the daemon
    // counts its bounds differently; events older than the last list's request are already in that list.
    const std::int64_t until = unix_now_ns() - 1'000'000;  // never in the future: the daemon would wait for it
    const std::int64_t since = std::max(list_started_ns_, events_until_ns_) - 1'000'000'000;
    auto response = client_.get(DockerRequest::events(since, until));
    events_checked_at_ = std::chrono::steady_clock::now();
    if (!response.ok()) {
        // Refused (a socket proxy that does not pass /events, say): list every list_refresh from now on.
        // A daemon-side error: list this time.
        if (response.status >= 400 && response.status < 500) events_usable_ = false;
        return true;
    }
    events_until_ns_ = until;
    const auto events = parse_events(response.body);
    if (events.size() >= kEventsMayBeLost) return true;
    for (const auto& event : events) {
        if (event.type == "container" && event.time_ns >= list_started_ns_ && event_changes_list(event.action)) {
            return true;
        }
    }
    return false;
}

model::ContainerStats ContainerSource::row_of(const DockerContainerSummary& summary, const Known& known) const {
    model::ContainerStats row;
    row.id = summary.id;
    row.short_id = summary.id.substr(0, 12);
    if (!summary.names.empty()) {
        std::string_view name = summary.names.front();
        row.name = std::string(name.starts_with('/') ? name.substr(1) : name);
    }
    row.image = summary.image;
    row.state = summary.state;
    row.labels = summary.labels;
    row.init_pid = known.inspect.pid;
    row.started_at = known.inspect.started_at;
    GpuAssignment gpus = gpu_assignment(known.inspect);
    row.gpus_assigned = std::move(gpus.indices);
    row.all_gpus_assigned = gpus.all;
    return row;
}

std::optional<std::vector<model::ContainerStats>> ContainerSource::rows_from_last_list() {
    std::vector<model::ContainerStats> rows;
    rows.reserve(last_list_.size());
    read_kept_files();
    for (const auto& summary : last_list_) {
        auto it = known_.find(summary.id);
        if (it == known_.end()) return std::nullopt;
        rows.push_back(row_of(summary, it->second));
        // Unreadable files: the container stopped (or its cgroup moved); a list tells what is there now.
        if (!fill_from_cgroups(rows.back(), it->second)) return std::nullopt;
    }
    return rows;
}

void ContainerSource::collect(model::Snapshot& draft) {
    const bool init_exited = poll_init_watches();
    ListReason reason = list_reason(init_exited);
    if (reason == ListReason::events) {
        reason = list_changed_since_last_list() ? ListReason::change : ListReason::none;
    }
    if (reason == ListReason::none) {
        if (auto rows = rows_from_last_list()) {
            draft.containers = std::move(*rows);
            return;
        }
        reason = ListReason::change;
    }
    collect_listed(draft, reason);
}

void ContainerSource::collect_listed(model::Snapshot& draft, ListReason reason) {
    list_next_ = true;  // until this list succeeds
    const auto before = parents_.empty() ? current_parents() : parents_;
    const auto started = std::chrono::steady_clock::now();
    const auto started_ns = unix_now_ns();
    auto list = client_.get(DockerRequest::containers_list());
    if (!list.ok()) {
        throw util::Error("docker: GET /containers/json: HTTP " + std::to_string(list.status) + ": " +
                          message_of(list) + " (" + client_.host().display + ")");
    }
    last_list_ = parse_container_list(list.body, options_.label_allowlist);
    const auto& summaries = last_list_;

    std::erase_if(known_, [&](const auto& entry) {
        return std::none_of(summaries.begin(), summaries.end(), [&](const auto& s) { return s.id == entry.first; });
    });
    poll_init_watches();  // again, after the erase: recounts kept descriptors, sees exits since the first poll

    std::vector<model::ContainerStats> rows;
    std::vector<Known*> owners;
    rows.reserve(summaries.size());
    owners.reserve(summaries.size());
    for (const auto& summary : summaries) {
        Known* known = refresh_inspect(summary.id);
        if (known == nullptr) {
            continue;
        }
        rows.push_back(row_of(summary, *known));
        owners.push_back(known);
    }

    bool any_found = false;
    read_kept_files();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        any_found = fill_from_cgroups(rows[i], *owners[i]) || any_found;
    }
    if (!rows.empty()) {
        local_cgroups_ = any_found;
        if (!any_found) {
            fill_from_stats_api(rows);
        }
    }
    draft.containers = std::move(rows);

    // The parents of the containers known now (and Docker's defaults), stamped after the list: a cgroup
    // that appeared between the two stamps may belong to a container the list did not show yet.
    parents_ = current_parents();
    bool moved = false;
    for (const auto& old : before) {
        auto now = std::find_if(parents_.begin(), parents_.end(), [&](const auto& p) { return p.path == old.path; });
        moved = moved || (now != parents_.end() && !(*now == old));
    }
    if (client_.host().transport == DockerHost::Transport::unix_socket && (!daemon_watch_ || daemon_exited_)) {
        auto pid = unix_socket_listener_pid(client_.host().socket_path);
        daemon_watch_ = pid ? PidWatch::open(*pid) : PidWatch{};
        daemon_exited_ = false;
    }
    listed_at_ = started;
    list_started_ns_ = started_ns;
    list_next_ = reason == ListReason::change || moved;
}

}  // namespace cmon::sources
