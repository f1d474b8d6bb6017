// ContainerSource: Docker API for identity, cgroup files for usage, stats API only as the remote fallback.
// Which collects list is the list watch's call; what each container uses is its TrackedContainer's.
#include "sources/docker/container_source.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "sources/docker/container_row.hpp"
#include "sources/docker/stats_api_reader.hpp"
#include "util/error.hpp"

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

const util::Clock& real_clock() {
    static const util::RealClock clock;
    return clock;
}

ListWatchOptions list_watch_options(const ContainerSourceOptions& options) {
    return ListWatchOptions{.refresh = options.list_refresh,
                            .refresh_max = options.list_refresh_max,
                            .list_every_collect = options.inspect_refresh > 0,
                            .follow_events = options.follow_events};
}

}  // namespace

ContainerSource::ContainerSource(HostPaths paths, ContainerSourceOptions options)
    : ContainerSource(std::move(paths), std::move(options), real_clock()) {}

ContainerSource::ContainerSource(HostPaths paths, ContainerSourceOptions options, const util::Clock& clock)
    : paths_(std::move(paths)),
      options_(std::move(options)),
      client_(docker_host_from_environment(paths_.docker_endpoint), options_.client),
      cgroups_(paths_),
      list_watch_(client_.host(), list_watch_options(options_), clock),
      kept_{.kept = 0, .budget = options_.keep_open_files},
      batch_(options_.file_reads) {}

TrackedContainer* ContainerSource::refresh_inspect(const std::string& id) {
    auto it = tracked_.find(id);
    if (it != tracked_.end()) {
        auto& tracked = it->second;
        ++tracked.collects_since_inspect;
        bool due = options_.inspect_refresh > 0 && tracked.collects_since_inspect >= options_.inspect_refresh;
        if (tracked.inspected && !due && !tracked.pid_is_stale(id, paths_.proc, local_cgroups_)) {
            return &tracked;
        }
    }
    auto response = client_.get(DockerRequest::container_inspect(id));
    if (response.status == 404) {
        tracked_.erase(id);
        return nullptr;  // removed between list and inspect
    }
    auto parsed = response.ok() ? parse_container_inspect(response.body) : std::nullopt;
    auto& entry = tracked_[id];
    entry = TrackedContainer{};
    if (parsed) {
        // A daemon-side hiccup for one container (HTTP 500, odd body) leaves inspected false: the row is
        // kept without its details and inspected again next collect.
        entry.inspect = std::move(*parsed);
        entry.inspected = true;
    }
    return &entry;
}

void ContainerSource::read_kept_files(bool steady_allowed) {
    batch_.clear();
    if (!trees_planned_) plan_trees();
    // The parents are read before their children are queued: an unmoved parent vouches for what happened
    // under it up to this moment, and the children's last reads came after its previous read.
    for (auto& [cpu, tree] : trees_) tree.tree.update();
    for (auto& [id, tracked] : tracked_) {
        const SteadyTree* tree = tracked.parent_tree;
        tracked.queue(batch_, steady_allowed && tree != nullptr ? tree->state() : TreeState{});
    }
    batch_.run();
}

void ContainerSource::plan_trees() {
    ++round_;
    bool complete = true;
    // Most containers share their parent: the one found last is checked first, by its text (a map
    // lookup compares paths component by component).
    auto last = trees_.end();
    for (auto& [id, tracked] : tracked_) {
        SteadyTree* tree = nullptr;
        const auto& cpu = tracked.parent_cpu_file();
        const auto& memory = tracked.parent_memory_file();
        // Not located yet (its cgroup is found by its first read, after the list's plan): planned again.
        complete = complete && !cpu.empty() && !memory.empty();
        if (!cpu.empty() && !memory.empty()) {
            auto it = last != trees_.end() && last->first.native() == cpu.native() ? last : trees_.find(cpu);
            if (it == trees_.end() && kept_.may_keep(2)) {
                it = trees_.try_emplace(cpu, Tree{SteadyTree(cpu, memory), memory, 0}).first;
                kept_.kept += it->second.tree.open_files();
            }
            complete = complete && it != trees_.end();  // else the descriptor budget may allow it later
            last = it;
            // Siblings whose memory is elsewhere (mixed hierarchies) are never spared.
            if (it != trees_.end() && it->second.memory_file.native() == memory.native()) {
                it->second.round = round_;
                tree = &it->second.tree;
            }
        }
        tracked.parent_tree = tree;
    }
    std::erase_if(trees_, [&](const auto& entry) { return entry.second.round != round_; });
    trees_planned_ = complete;
}

bool ContainerSource::poll_watches() {
    // Watches are made and kept files closed only around a list (inspects, the erase of what went, a
    // dropped file makes the next collect list): counted, added to the bell and checked for being all
    // watched then, not at every collect, which would touch every tracked container each second for
    // nothing. (A file kept since is counted at the next list; a container not yet fully watched lists.)
    if (watches_changed_) {
        kept_.kept = 0;
        for (const auto& [key, tree] : trees_) kept_.kept += tree.tree.open_files();
        all_watched_ = true;
        for (auto& [id, tracked] : tracked_) {
            kept_.kept += tracked.open_files();
            exit_bell_.add(tracked.init_watch);
            tracked.init_exited = false;
            all_watched_ = all_watched_ && tracked.fully_watched();
        }
        watches_changed_ = false;
    }
    exit_bell_.add(list_watch_.daemon_watch());
    if (!exit_bell_.rung()) {
        list_watch_.daemon_exited(false);
        return false;
    }
    std::vector<TrackedContainer*> watched;
    std::vector<const PidWatch*> watches;
    for (auto& [id, tracked] : tracked_) {
        tracked.init_exited = false;
        if (tracked.init_watch) {
            watched.push_back(&tracked);
            watches.push_back(&tracked.init_watch);
        }
    }
    watches.push_back(&list_watch_.daemon_watch());  // last; an empty watch is skipped by poll
    auto exited = PidWatch::exited(watches);
    list_watch_.daemon_exited(exited.back());
    bool any = false;
    for (std::size_t i = 0; i < watched.size(); ++i) {
        watched[i]->init_exited = exited[i];
        any = any || exited[i];
    }
    return any;
}

std::vector<std::filesystem::path> ContainerSource::parent_dirs() const {
    std::vector<std::filesystem::path> paths = cgroups_.default_container_parents();
    for (const auto& [id, tracked] : tracked_) {
        auto dir = tracked.cgroup_dir();
        if (dir.empty()) continue;
        auto parent = dir.parent_path();
        if (std::find(paths.begin(), paths.end(), parent) == paths.end()) paths.push_back(std::move(parent));
    }
    return paths;
}

std::optional<std::vector<model::ContainerStats>> ContainerSource::rows_from_last_list() {
    // A list that failed half-way (dockerd gone between inspects) may have dropped tracked containers and
    // left no owners for the rows before it: a list tells what is there now.
    if (last_owners_.size() != last_rows_.size()) return std::nullopt;
    std::vector<model::ContainerStats> rows;
    rows.reserve(last_rows_.size());
    read_kept_files(true);
    for (std::size_t i = 0; i < last_rows_.size(); ++i) {
        rows.push_back(last_rows_[i]);
        // Unreadable files: the container stopped (or its cgroup moved); a list tells what is there now.
        if (!last_owners_[i]->read_usage(rows.back(), cgroups_, paths_.proc, batch_, buffer_, kept_))
            return std::nullopt;
    }
    return rows;
}

void ContainerSource::collect(model::Snapshot& draft) {
    const bool init_exited = poll_watches();
    const ListFacts facts{.local_cgroups = local_cgroups_,
                          .init_exited = init_exited,
                          .all_watched = all_watched_};
    ListReason reason = list_watch_.reason(facts);
    if (reason == ListReason::events) {
        reason = list_watch_.changed_since_last_list(client_) ? ListReason::change : ListReason::none;
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
    list_watch_.begin_list([this] { return parent_dirs(); });
    auto list = client_.get(DockerRequest::containers_list());
    if (!list.ok()) {
        throw util::Error("docker: GET /containers/json: HTTP " + std::to_string(list.status) + ": " +
                          message_of(list) + " (" + client_.host().display + ")");
    }
    const auto summaries = parse_container_list(list.body, options_.label_allowlist);

    // tracked_ changes from here on: the trees planned for it and the last list's owners are made anew.
    trees_planned_ = false;
    last_owners_.clear();
    std::erase_if(tracked_, [&](const auto& entry) {
        return std::none_of(summaries.begin(), summaries.end(), [&](const auto& s) { return s.id == entry.first; });
    });
    watches_changed_ = true;
    poll_watches();  // again, after the erase: recounts kept descriptors, sees exits since the first poll

    std::vector<model::ContainerStats> rows;
    std::vector<TrackedContainer*> owners;
    rows.reserve(summaries.size());
    owners.reserve(summaries.size());
    for (const auto& summary : summaries) {
        TrackedContainer* tracked = refresh_inspect(summary.id);
        if (tracked == nullptr) {
            continue;
        }
        rows.push_back(row_of(summary, tracked->inspect));
        owners.push_back(tracked);
    }

    last_rows_ = rows;
    last_owners_ = owners;
    bool any_found = false;
    // After a change (an event, an exit, a new cgroup) every container is read whole: what changed may be
    // what only a complete read sees (a `docker update` of its limits).
    if (reason == ListReason::change) {
        for (TrackedContainer* owner : owners) owner->read_whole_next();
    }
    read_kept_files(false);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        any_found = owners[i]->read_usage(rows[i], cgroups_, paths_.proc, batch_, buffer_, kept_) || any_found;
    }
    if (!rows.empty()) {
        local_cgroups_ = any_found;
        if (!any_found) {
            read_stats_api(client_, rows, options_.max_parallel_stats);
        }
    }
    draft.containers = std::move(rows);
    watches_changed_ = true;  // the inspects above may have opened watches
    list_watch_.end_list(reason, parent_dirs());
    list_watch_.follow_events(client_);
}

}  // namespace cmon::sources
