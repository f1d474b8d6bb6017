// GpuAttributor: per tick, one epoll_wait for the GPU processes already read (one stat per pid where
// pidfds cannot be used), plus two small reads for processes not seen before.
#include "attribution/gpu_attributor.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <utility>

#include "attribution/cgroup_id_parser.hpp"
#include "attribution/proc_status_parser.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace cmon::attribution {

std::optional<std::string> command_line_from_cmdline(std::string_view raw, std::size_t max_bytes) {
    while (!raw.empty() && (raw.back() == '\0' || raw.back() == ' ')) raw.remove_suffix(1);
    if (raw.empty()) return std::nullopt;
    constexpr std::string_view kCut = "...";
    const bool cut = raw.size() > max_bytes;
    if (cut) raw = raw.substr(0, max_bytes > kCut.size() ? max_bytes - kCut.size() : 0);
    std::string out;
    out.reserve(raw.size() + kCut.size());
    for (char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        out += c == '\0' ? ' ' : (byte < 0x20 || byte == 0x7f) ? '?' : c;
    }
    if (cut) out += kCut;
    return out;
}

namespace {

// Whether pids under `proc` are those of this process's pid namespace (what pidfd_open takes): its
// "self" link names our own pid. Not so for a fixture tree, or a host /proc mounted into a container
// that has a pid namespace of its own.
bool proc_is_our_pid_namespace(const std::filesystem::path& proc) {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink(proc / "self", error);
    return !error && self == std::to_string(::getpid());
}

}  // namespace

GpuAttributor::GpuAttributor(sources::HostPaths paths, ContainerPidLister fallback, GpuAttributorOptions options)
    : paths_(std::move(paths)), fallback_(std::move(fallback)), options_(options) {
    watch_processes_ = proc_is_our_pid_namespace(paths_.proc) && sources::PidWatch::open(::getpid());
}

std::optional<GpuAttributor::Identity> GpuAttributor::identify(unsigned pid) {
    const std::string& proc = paths_.proc.native();
    pid_path_.assign(proc);
    if (pid_path_.empty() || pid_path_.back() != '/') pid_path_.push_back('/');
    char digits[16];
    auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), pid);
    pid_path_.append(digits, end);
    ++identity_checks_;
    struct stat st {};
    if (::stat(pid_path_.c_str(), &st) != 0) return std::nullopt;
    return Identity{st.st_dev, st.st_ino, st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
}

std::optional<GpuAttributor::Entry> GpuAttributor::read(unsigned pid) {
    ++reads_;
    const std::filesystem::path dir = paths_.proc / std::to_string(pid);
    auto cgroup = util::read_text_file(dir / "cgroup");
    if (!cgroup) return std::nullopt;
    Entry entry;
    entry.container_id = container_id_from_cgroup(*cgroup);
    if (entry.container_id) {
        if (auto status = util::read_text_file(dir / "status")) entry.container_pid = nspid_from_status(*status);
    }
    if (options_.show_cmdline) {
        // One byte over the limit tells a cut line from one that fits exactly.
        if (auto raw = util::read_text_file(dir / "cmdline", options_.cmdline_max_bytes + 1)) {
            entry.command = command_line_from_cmdline(*raw, options_.cmdline_max_bytes);
        }
    }
    return entry;
}

void GpuAttributor::attribute(model::Snapshot& draft) {
    note_.clear();
    listed_.clear();
    std::vector<model::GpuProcess*> unresolved;
    if (watch_processes_ && !cache_.empty() && bell_.rung()) {
        // Some watched process exited: its entry falls back to the identity check below.
        for (auto& [pid, entry] : cache_) {
            if (entry.watch && sources::PidWatch::exited({&entry.watch}).front()) entry.watch = {};
        }
    }
    const auto answer = [](model::GpuProcess& process, const Entry& entry) {
        process.container_id = entry.container_id;
        process.container_pid = entry.container_pid;
        process.command = entry.command;  // read() fills it only with --show-cmdline
    };
    for (model::GpuProcess& process : draft.gpu_processes) {
        listed_.push_back(process.pid);
        auto cached = cache_.find(process.pid);
        if (cached != cache_.end() && cached->second.watch) {
            // The process read runs on: the pid is still its, and nothing of it needs reading.
            process.process_exists = true;
            answer(process, cached->second);
            continue;
        }
        const std::optional<Identity> identity = identify(process.pid);
        const bool exists = identity.has_value();
        const bool same_process =
            cached != cache_.end() && !cached->second.gone && exists && cached->second.identity == *identity;
        if (exists && !same_process) {
            // Watched before its files are read: should the pid change hands in between, the watch names
            // the process that exited, and the next tick checks the identity again.
            sources::PidWatch watch = watch_processes_ ? sources::PidWatch::open(static_cast<int>(process.pid))
                                                       : sources::PidWatch{};
            if (auto fresh = read(process.pid)) {
                fresh->identity = *identity;
                fresh->watch = std::move(watch);
                bell_.add(fresh->watch);
                cached = cache_.insert_or_assign(process.pid, std::move(*fresh)).first;
            } else if (cached != cache_.end() && !cached->second.gone) {
                // Another process holds the pid now and its files cannot be read: the old answer is not its.
                cache_.erase(cached);
                cached = cache_.end();
            }
        } else if (!exists && cached != cache_.end()) {
            cached->second.gone = true;
        }
        process.process_exists = exists;
        if (cached != cache_.end()) answer(process, cached->second);
        // Never readable here (another pid namespace, hidepid, exited before we saw it): ask Docker.
        if (cached == cache_.end()) unresolved.push_back(&process);
    }
    std::sort(listed_.begin(), listed_.end());
    auto unlisted = [&](const auto& entry) { return !std::binary_search(listed_.begin(), listed_.end(), entry.first); };
    std::erase_if(cache_, unlisted);
    std::erase_if(fallback_cache_, unlisted);
    if (!unresolved.empty()) apply_fallback(draft, unresolved);
}

void GpuAttributor::apply_fallback(model::Snapshot& draft, const std::vector<model::GpuProcess*>& unresolved) {
    // None of the GPU pids is under our /proc: we do not see the host's pid namespace.
    const bool no_host_pids = unresolved.size() == draft.gpu_processes.size();
    const std::string proc = paths_.proc.string();
    if (!fallback_) {
        if (no_host_pids) note_ = "GPU pids not found under " + proc + " (no host pid namespace?): not attributed";
        return;
    }
    if (draft.containers.empty()) return;
    std::vector<std::string> ids;
    ids.reserve(draft.containers.size());
    for (const model::ContainerStats& container : draft.containers) ids.push_back(container.id);
    std::vector<std::string> asked_key = ids;  // order-free: the list order may change between ticks
    std::sort(asked_key.begin(), asked_key.end());
    // Docker top runs `ps` in every container: ask only for a pid not asked about yet, or when containers
    // came or went (a pid answered "in no container" may belong to one that was not listed then).
    const bool new_pid = std::any_of(unresolved.begin(), unresolved.end(),
                                     [&](const model::GpuProcess* p) { return !fallback_cache_.contains(p->pid); });
    if (new_pid || asked_key != fallback_asked_ids_) {
        std::map<std::string, std::vector<unsigned>> pids_by_container;
        try {
            pids_by_container = fallback_(ids);
        } catch (const util::Error& error) {
            // The Docker source reports Docker's health; here the processes simply stay unattributed.
            note_ = "GPU pids not under " + proc + " and docker top failed, not attributed: " + error.what();
            return;
        }
        std::unordered_map<unsigned, const std::string*> container_of;
        for (const auto& [id, pids] : pids_by_container) {
            for (unsigned pid : pids) container_of.emplace(pid, &id);
        }
        for (const model::GpuProcess* process : unresolved) {
            auto it = container_of.find(process->pid);
            fallback_cache_.insert_or_assign(process->pid, it == container_of.end()
                                                               ? std::optional<std::string>()
                                                               : std::optional<std::string>(*it->second));
        }
        fallback_asked_ids_ = std::move(asked_key);
    }
    std::size_t found = 0;
    for (model::GpuProcess* process : unresolved) {
        auto it = fallback_cache_.find(process->pid);
        if (it == fallback_cache_.end() || !it->second) continue;
        process->container_id = *it->second;
        process->process_exists = true;  // docker top listed it
        ++found;
    }
    if (no_host_pids) {
        note_ = "pids from docker top (no host pid namespace)";
    } else if (found > 0) {
        note_ = "pids of " + std::to_string(found) + " GPU process(es) not under " + proc + " from docker top";
    }
}

}  // namespace cmon::attribution
