#include "sources/docker/list_watch.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "sources/docker/daemon_probe.hpp"
#include "sources/docker/docker_json_parser.hpp"

namespace cmon::sources {

namespace {

// dockerd answers a GET /events window from a buffer of its latest events of every type (256 in moby's
// daemon/events). A window with half as many events is taken as one that may have
// lost older ones; the routine full list (refresh_max) covers the rest.
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

ListWatch::ListWatch(DockerHost host, ListWatchOptions options, const util::Clock& clock)
    : host_(std::move(host)), options_(options), clock_(clock) {}

std::int64_t ListWatch::unix_now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.system_now().time_since_epoch()).count();
}

ListReason ListWatch::reason(const ListFacts& facts) const {
    const bool reusable = facts.local_cgroups && listed_at_ && options_.refresh.count() > 0 &&
                          !options_.list_every_collect && host_.transport == DockerHost::Transport::unix_socket;
    if (!reusable || list_next_) return ListReason::routine;
    const auto now = clock_.steady_now();
    const auto listed_for = now - *listed_at_;
    if (listed_for >= options_.refresh_max || (!events_usable_ && listed_for >= options_.refresh)) {
        return ListReason::routine;
    }
    if (facts.init_exited) return ListReason::change;
    // Without its files or its watch, a container is checked the plain way: through a list every collect.
    if (!facts.all_watched) return ListReason::routine;
    // A container created beside the others shows as a new cgroup under their parent; a followed event
    // log shows it too (create, start), at no cost, so the parents are stamped only without one.
    if (!stream_ || !stream_.answered()) {
        for (const auto& parent : parents_) {
            if (!(restamp(parent) == parent)) return ListReason::change;
        }
    }
    // A daemon that went away: the list request fails and says so (health goes not-ok at once).
    if (daemon_exited_ || (!daemon_watch_ && !unix_socket_listening(host_.socket_path))) {
        return ListReason::routine;
    }
    // What none of the above shows (a rename, pause/unpause): asked of the daemon's event log, every
    // collect when it is followed (a recv that finds nothing), else a window every `refresh`.
    if (stream_ || now - std::max(*listed_at_, events_checked_at_) >= options_.refresh) return ListReason::events;
    return ListReason::none;
}

bool ListWatch::changed_since_last_list(DockerClient& client) {
    if (stream_) {
        auto read = stream_.read();
        const auto now = clock_.steady_now();
        const bool unanswered = !read.over && !stream_.answered() && now - stream_opened_at_ >= options_.refresh;
        if (!read.over && !unanswered) {
            events_checked_at_ = now;
            return changes_list(read.events);
        }
        // Over or unanswered: windows for refresh_max (from now on where it was refused). Unanswered after
        // `refresh` (something between us and the daemon holds streamed responses back): this collect asks
        // for a window. Over: what happened since its last bytes is unknown: a list.
        stream_ = EventStream{};
        stream_refused_ = stream_refused_ || read.refused;
        stream_retry_at_ = now + options_.refresh_max;
        if (read.over) {
            events_checked_at_ = now;
            return true;
        }
    }
    // The window starts a second before the end of the last one (or the last list), in case the daemon
    // counts its bounds differently; events older than the last list's request are already in that list.
    const std::int64_t until = unix_now_ns() - 1'000'000;  // never in the future: the daemon would wait for it
    const std::int64_t since = std::max(list_started_ns_, events_until_ns_) - 1'000'000'000;
    auto response = client.get(DockerRequest::events(since, until));
    events_checked_at_ = clock_.steady_now();
    if (!response.ok()) {
        // Refused (a socket proxy that does not pass /events, say): list every refresh from now on.
        // A daemon-side error: list this time.
        if (response.status >= 400 && response.status < 500) events_usable_ = false;
        return true;
    }
    events_until_ns_ = until;
    return changes_list(parse_events(response.body));
}

bool ListWatch::changes_list(const std::vector<DockerEvent>& events) const {
    if (events.size() >= kEventsMayBeLost) return true;
    return std::any_of(events.begin(), events.end(), [&](const DockerEvent& event) {
        if (event.time_ns < list_started_ns_) return false;
        // A network connected to or disconnected from a running container gives it an interface to count
        // (or takes one away): what an idle container's repeated network counters would not show.
        if (event.type == "network") return event.action == "connect" || event.action == "disconnect";
        return event.type == "container" && event_changes_list(event.action);
    });
}

void ListWatch::follow_events(DockerClient& client) {
    const bool lists_reused = options_.refresh.count() > 0 && !options_.list_every_collect;
    const bool waiting = stream_retry_at_ && clock_.steady_now() < *stream_retry_at_;
    if (stream_ || !options_.follow_events || !lists_reused || stream_refused_ || waiting || !events_usable_ ||
        host_.transport != DockerHost::Transport::unix_socket || !listed_at_) {
        return;
    }
    // From a second before the list's request, as the windows: an event during the list shows on the stream.
    stream_opened_at_ = clock_.steady_now();
    try {
        stream_ = EventStream::open(host_.socket_path,
                                    DockerRequest::event_stream(list_started_ns_ - 1'000'000'000)
                                        .target(client.api_version()));
    } catch (const std::exception&) {
        stream_ = EventStream{};  // the version is known after a list; were it not, windows until the next
    }
}

void ListWatch::begin_list(const std::function<std::vector<std::filesystem::path>()>& parents) {
    list_next_ = true;  // until this list succeeds
    before_ = parents_.empty() ? stamp_all(parents()) : parents_;
    started_ = clock_.steady_now();
    started_ns_ = unix_now_ns();
}

void ListWatch::end_list(ListReason reason, std::vector<std::filesystem::path> parents) {
    // Stamped after the list: a cgroup that appeared between the two stamps may belong to a container the
    // list did not show yet, so a parent that moved meanwhile makes the next collect list again.
    parents_ = stamp_all(std::move(parents));
    bool moved = false;
    for (const auto& old : before_) {
        auto now = std::find_if(parents_.begin(), parents_.end(), [&](const auto& p) { return p.path == old.path; });
        moved = moved || (now != parents_.end() && !(*now == old));
    }
    if (host_.transport == DockerHost::Transport::unix_socket && (!daemon_watch_ || daemon_exited_)) {
        auto pid = unix_socket_listener_pid(host_.socket_path);
        daemon_watch_ = pid ? PidWatch::open(*pid) : PidWatch{};
        daemon_exited_ = false;
    }
    listed_at_ = started_;
    list_started_ns_ = started_ns_;
    list_next_ = reason == ListReason::change || moved;
    ++lists_;
}

namespace {

void fill(const struct stat& st, std::uint64_t& inode, std::uint64_t& links, std::int64_t& mtime_ns) {
    inode = st.st_ino;
    links = st.st_nlink;
    mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

ListWatch::ParentDir ListWatch::stamp(std::filesystem::path path) {
    ParentDir dir{.path = std::move(path)};
    util::UniqueFd fd(::open(dir.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (fd && ::fstat(fd.get(), &st) == 0) {
        fill(st, dir.inode, dir.links, dir.mtime_ns);
        dir.dir = std::make_shared<const util::UniqueFd>(std::move(fd));
    }
    return dir;
}

ListWatch::ParentDir ListWatch::restamp(const ParentDir& stamped) {
    if (!stamped.dir) return stamp(stamped.path);
    ParentDir dir{.path = stamped.path, .dir = stamped.dir};
    struct stat st {};
    if (::fstat(stamped.dir->get(), &st) == 0) fill(st, dir.inode, dir.links, dir.mtime_ns);
    return dir;
}

std::vector<ListWatch::ParentDir> ListWatch::stamp_all(std::vector<std::filesystem::path> paths) {
    std::vector<ParentDir> out;
    out.reserve(paths.size());
    for (auto& path : paths) out.push_back(stamp(std::move(path)));
    return out;
}

}  // namespace cmon::sources
