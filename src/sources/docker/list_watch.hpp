// The docker source's watcher (cAdvisor's split: a watcher decides when the container set may have changed,
// per-container handlers read usage). Decides at each collect whether GET /containers/json is asked again
// or the last list is reused, from what a local host shows without asking the daemon: the init processes
// of the listed containers (pidfds), stamps of the cgroup directories that hold container cgroups, the
// daemon process itself, and the daemon's event log for what none of those shows (a rename, a pause).
// Time comes from the injected clock only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "sources/docker/docker_client.hpp"
#include "sources/docker/docker_host.hpp"
#include "sources/docker/event_stream.hpp"
#include "sources/pid_watch.hpp"
#include "util/clock.hpp"
#include "util/unique_fd.hpp"

namespace cmon::sources {

// none: reuse the last list; routine: list (the policy says so); change: list, something may have changed
// (and list at the next collect too, in case a container was caught between its cgroup appearing and
// Docker calling it running); events: ask the event log (changed_since_last_list) before deciding.
enum class ListReason { none, routine, change, events };

struct ListWatchOptions {
    std::chrono::milliseconds refresh{0};      // event-log checks this often while reusing; 0: list every time
    std::chrono::milliseconds refresh_max{0};  // a full list at least this often
    bool list_every_collect = false;           // forced (details re-inspected every N collects)
    // Follow the event log on a stream kept open (EventStream) and look at it every collect, instead of
    // asking for a window every `refresh`; the windows stay the fallback while there is no stream.
    bool follow_events = true;
};

// What the source knows at the start of a collect.
struct ListFacts {
    bool local_cgroups = false;  // the last collect found container cgroups on this host
    bool init_exited = false;    // a watched init process exited
    bool all_watched = false;    // every container of the last list is fully watched (TrackedContainer)
};

class ListWatch {
public:
    // `clock` must outlive the watch.
    ListWatch(DockerHost host, ListWatchOptions options, const util::Clock& clock);

    // Whether this collect lists, and why.
    ListReason reason(const ListFacts& facts) const;
    // The event log since the last list: what the followed stream brought since the last collect, else
    // GET /events for the window since the last check. True when a container event after that list's
    // request may change what it shows, when so many came at once that older ones may have dropped out
    // of the daemon's buffer, when the daemon does not answer /events (then lists are routine every
    // `refresh`), or when the stream ended (what happened since its last bytes is unknown). A stream
    // still unanswered `refresh` after it was asked for is dropped for a window (a proxy holding streamed
    // responses back would otherwise hide every event).
    bool changed_since_last_list(DockerClient& client);
    // After a successful list (end_list): opens the event stream when there is none and the log is
    // usable; after a stream ended, not before refresh_max has passed (a daemon that keeps closing it
    // costs a list per refresh_max, not one per collect); never again after the daemon refused one.
    void follow_events(DockerClient& client);
    // Whether an event stream is open (for tests and the log).
    bool following() const { return static_cast<bool>(stream_); }

    // Around each list request. begin_list() before it: `parents` (the cgroup directories that hold the
    // known containers' cgroups, and Docker's defaults) is asked only when nothing was stamped yet.
    // end_list() after a successful one, with those directories as they are now: stamps them, and (re)opens
    // the watch on the daemon process when it has none or it exited.
    void begin_list(const std::function<std::vector<std::filesystem::path>()>& parents);
    void end_list(ListReason reason, std::vector<std::filesystem::path> parents);

    // Polled by the owner with the init watches (one poll for all); the result goes to daemon_exited().
    const PidWatch& daemon_watch() const { return daemon_watch_; }
    PidWatch& daemon_watch() { return daemon_watch_; }
    void daemon_exited(bool exited) { daemon_exited_ = exited; }
    // Successful lists so far.
    std::uint64_t lists() const { return lists_; }

private:
    // A cgroup directory that holds container cgroups, as stat(2) saw it: kernfs counts subdirectories in
    // st_nlink, so a container cgroup created or removed below it changes the stamp. Stamped again at
    // every collect through an O_PATH descriptor kept from its list (fstat: no path walk through the
    // cgroup mount each second); one that did not exist then is looked up by path. The directory cannot
    // go while it holds a container's cgroup, so a descriptor on one that went and came back is dropped at
    // the list its containers' exits cause.
    struct ParentDir {
        std::filesystem::path path;
        std::uint64_t inode = 0;
        std::uint64_t links = 0;
        std::int64_t mtime_ns = 0;
        std::shared_ptr<const util::UniqueFd> dir{};  // shared by the copies of a stamp
        bool operator==(const ParentDir& other) const {
            return path == other.path && inode == other.inode && links == other.links && mtime_ns == other.mtime_ns;
        }
    };
    static ParentDir stamp(std::filesystem::path path);
    // The same directory as `stamped`, stamped now.
    static ParentDir restamp(const ParentDir& stamped);
    static std::vector<ParentDir> stamp_all(std::vector<std::filesystem::path> paths);
    std::int64_t unix_now_ns() const;
    bool changes_list(const std::vector<DockerEvent>& events) const;

    DockerHost host_;
    ListWatchOptions options_;
    const util::Clock& clock_;
    // When the last successful list was asked for (steady, and wall clock in Unix ns as event times are),
    // and the stamps of the cgroup parents taken right after it.
    std::optional<std::chrono::steady_clock::time_point> listed_at_;
    std::int64_t list_started_ns_ = 0;
    std::chrono::steady_clock::time_point started_{};
    std::int64_t started_ns_ = 0;
    std::vector<ParentDir> before_;
    std::vector<ParentDir> parents_;
    bool list_next_ = true;
    std::chrono::steady_clock::time_point events_checked_at_{};
    std::int64_t events_until_ns_ = 0;  // the end of the last /events window
    bool events_usable_ = true;
    EventStream stream_;
    bool stream_refused_ = false;       // the daemon answered the stream with an error: windows only
    std::chrono::steady_clock::time_point stream_opened_at_{};
    std::optional<std::chrono::steady_clock::time_point> stream_retry_at_;  // after a stream ended
    // The process listening on the daemon's unix socket (dockerd), watched between lists; empty when its
    // pid is not visible here: then the socket is probed with a connect at each collect that skips the list.
    PidWatch daemon_watch_;
    bool daemon_exited_ = false;
    std::uint64_t lists_ = 0;
};

}  // namespace cmon::sources
