// GpuAttributor: per tick, one stat per GPU pid plus two small reads for pids not seen before.
#include "attribution/gpu_attributor.hpp"

#include <filesystem>
#include <unordered_set>
#include <utility>

#include "attribution/cgroup_id_parser.hpp"
#include "attribution/proc_status_parser.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace cmon::attribution {

GpuAttributor::GpuAttributor(sources::HostPaths paths, ContainerPidLister fallback)
    : paths_(std::move(paths)), fallback_(std::move(fallback)) {}

std::optional<GpuAttributor::Entry> GpuAttributor::read(unsigned pid) const {
    const std::filesystem::path dir = paths_.proc / std::to_string(pid);
    auto cgroup = util::read_text_file(dir / "cgroup");
    if (!cgroup) return std::nullopt;
    Entry entry;
    entry.container_id = container_id_from_cgroup(*cgroup);
    if (entry.container_id) {
        if (auto status = util::read_text_file(dir / "status")) entry.container_pid = nspid_from_status(*status);
    }
    return entry;
}

void GpuAttributor::attribute(model::Snapshot& draft) {
    std::unordered_set<unsigned> listed;
    std::vector<model::GpuProcess*> unresolved;
    for (model::GpuProcess& process : draft.gpu_processes) {
        listed.insert(process.pid);
        std::error_code error;
        const bool exists = std::filesystem::exists(paths_.proc / std::to_string(process.pid), error);
        auto cached = cache_.find(process.pid);
        if (exists && (cached == cache_.end() || cached->second.gone)) {
            if (auto fresh = read(process.pid)) {
                cached = cache_.insert_or_assign(process.pid, std::move(*fresh)).first;
            }
        } else if (!exists && cached != cache_.end()) {
            cached->second.gone = true;
        }
        process.process_exists = exists;
        if (cached != cache_.end()) {
            process.container_id = cached->second.container_id;
            process.container_pid = cached->second.container_pid;
        }
        // Never readable here (another pid namespace, hidepid, exited before we saw it): ask Docker.
        if (cached == cache_.end()) unresolved.push_back(&process);
    }
    std::erase_if(cache_, [&](const auto& entry) { return !listed.contains(entry.first); });
    if (!unresolved.empty()) apply_fallback(draft, unresolved);
}

void GpuAttributor::apply_fallback(model::Snapshot& draft, const std::vector<model::GpuProcess*>& unresolved) const {
    if (!fallback_ || draft.containers.empty()) return;
    std::vector<std::string> ids;
    ids.reserve(draft.containers.size());
    for (const model::ContainerStats& container : draft.containers) ids.push_back(container.id);
    std::map<std::string, std::vector<unsigned>> pids_by_container;
    try {
        pids_by_container = fallback_(ids);
    } catch (const util::Error&) {
        // The Docker source reports Docker's health; here the processes simply stay unattributed.
        return;
    }
    std::unordered_map<unsigned, const std::string*> container_of;
    for (const auto& [id, pids] : pids_by_container) {
        for (unsigned pid : pids) container_of.emplace(pid, &id);
    }
    for (model::GpuProcess* process : unresolved) {
        auto it = container_of.find(process->pid);
        if (it == container_of.end()) continue;
        process->container_id = *it->second;
        process->process_exists = true;  // docker top just listed it
    }
}

}  // namespace cmon::attribution
