// ContainerSource: Docker API for identity, cgroup files for usage, stats API only as the remote fallback.
#include "sources/docker/container_source.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <optional>
#include <utility>

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

}  // namespace

ContainerSource::ContainerSource(HostPaths paths, ContainerSourceOptions options)
    : paths_(std::move(paths)),
      options_(std::move(options)),
      client_(docker_host_from_environment(paths_.docker_endpoint), options_.client),
      cgroups_(paths_) {}

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

bool ContainerSource::fill_from_cgroups(model::ContainerStats& row, Known& known) {
    CgroupStats stats;
    if (known.cgroup) {
        stats = known.cgroup->read();
        if (!stats.found) {
            known.cgroup.reset();  // removed (stopped, restarted): locate it again below
            known.net_dev = KernelFile{};
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
    auto text = net_dev->read(buffer_);
    if (!text) {
        return true;
    }
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    for (const auto& entry : parse_net_dev(*text)) {
        if (entry.name != "lo") {
            rx += entry.rx_bytes;
            tx += entry.tx_bytes;
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

void ContainerSource::collect(model::Snapshot& draft) {
    auto list = client_.get(DockerRequest::containers_list());
    if (!list.ok()) {
        throw util::Error("docker: GET /containers/json: HTTP " + std::to_string(list.status) + ": " +
                          message_of(list) + " (" + client_.host().display + ")");
    }
    auto summaries = parse_container_list(list.body, options_.label_allowlist);

    std::erase_if(known_, [&](const auto& entry) {
        return std::none_of(summaries.begin(), summaries.end(), [&](const auto& s) { return s.id == entry.first; });
    });

    // One poll tells which watched init processes exited (a stop or restart) since the last collect.
    {
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
        auto exited = PidWatch::exited(watches);
        for (std::size_t i = 0; i < watched.size(); ++i) {
            watched[i]->init_exited = exited[i];
        }
        keep_budget_ = keep_open_budget();
    }

    std::vector<model::ContainerStats> rows;
    std::vector<Known*> owners;
    rows.reserve(summaries.size());
    owners.reserve(summaries.size());
    for (auto& summary : summaries) {
        Known* known = refresh_inspect(summary.id);
        if (known == nullptr) {
            continue;
        }
        model::ContainerStats row;
        row.id = summary.id;
        row.short_id = summary.id.substr(0, 12);
        if (!summary.names.empty()) {
            std::string_view name = summary.names.front();
            row.name = std::string(name.starts_with('/') ? name.substr(1) : name);
        }
        row.image = std::move(summary.image);
        row.state = std::move(summary.state);
        row.labels = std::move(summary.labels);
        row.init_pid = known->inspect.pid;
        row.started_at = known->inspect.started_at;
        GpuAssignment gpus = gpu_assignment(known->inspect);
        row.gpus_assigned = std::move(gpus.indices);
        row.all_gpus_assigned = gpus.all;
        rows.push_back(std::move(row));
        owners.push_back(known);
    }

    bool any_found = false;
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
}

}  // namespace cmon::sources
