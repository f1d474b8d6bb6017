// Field rules: docs/api.md, "GET /query (legacy)". Keys are emitted in the order of the original's
// example; values keep the original's types (numbers stay numbers even when a source could not say, so
// existing scripts never meet a null where they had a number). Written straight into the text with
// JsonWriter, whose numbers and escapes are nlohmann::json's: the bytes are those of the original
// nlohmann::ordered_json version (tests/golden/query_*.json hold them).
#include "exporters/query_exporter.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>
#include <unordered_map>

#include "exporters/container_view.hpp"
#include "exporters/format.hpp"
#include "exporters/json_writer.hpp"
#include "exporters/kept_texts.hpp"

namespace cmon::exporters {

namespace {

void write_memory(JsonWriter& w, std::uint64_t used, std::uint64_t total) {
    w.begin_object();
    w.key("perc-used");
    w.number(percent_of(used, total));
    w.key("used/total");
    w.string(gib_pair(used, total));
    w.end_object();
}

void write_gpu(JsonWriter& w, const model::GpuDevice& gpu) {
    const std::uint64_t used = gpu.memory_used_bytes.value_or(0);
    const std::uint64_t total = gpu.memory_total_bytes.value_or(0);
    w.begin_object();
    w.key("id");
    w.number(gpu.index);
    w.key("model");
    w.string(gpu.name);
    w.key("mem-perc-used");
    w.number(percent_of(used, total));
    w.key("mem-used/total");
    w.string(gib_pair(used, total));
    w.key("util-perc");
    w.number(gpu.utilization_percent.value_or(0u));
    w.end_object();
}

// Everything a container's text is made of, to tell whether the text kept from the last snapshot still is
// that container's text.
struct ProcessInputs {
    unsigned gpu_index = 0;
    std::uint64_t memory_used = 0;
    std::uint64_t gpu_memory_total = 0;
    unsigned pid = 0;
    unsigned sm = 0;
    bool operator==(const ProcessInputs&) const = default;
};

struct ContainerInputs {
    std::string name;
    double cpu = 0;
    std::uint64_t working_set = 0;
    std::uint64_t memory_total = 0;
    std::vector<ProcessInputs> processes;
    bool operator==(const ContainerInputs&) const = default;
};

ContainerInputs inputs_of(const model::ContainerStats& container, const model::Snapshot& snapshot,
                          const std::vector<const model::GpuProcess*>& processes) {
    ContainerInputs in;
    in.name = container.name;
    in.cpu = round1(container.cpu_percent.value_or(0.0));
    in.working_set = container.memory_working_set_bytes.value_or(0);
    // Against the container's limit, or the host's memory when unlimited (as the original did).
    std::uint64_t total = container_memory_limit_or_host(snapshot, container);
    if (total == 0 || total > snapshot.host.memory_total_bytes) total = snapshot.host.memory_total_bytes;
    in.memory_total = total;
    for (const model::GpuProcess* process : processes) {
        std::uint64_t gpu_total = 0;
        for (const auto& gpu : snapshot.gpus)  // the last GPU of that index, as the original did
            if (gpu.index == process->gpu_index) gpu_total = gpu.memory_total_bytes.value_or(0);
        in.processes.push_back({process->gpu_index, process->memory_used_bytes.value_or(0), gpu_total,
                                process->pid, process->sm_percent.value_or(0u)});
    }
    return in;
}

void write_container(JsonWriter& w, const ContainerInputs& in) {
    w.begin_object();
    w.key("name");
    w.string(in.name);
    w.key("cpu-perc");
    w.number(in.cpu);
    w.key("mem");
    write_memory(w, in.working_set, in.memory_total);
    w.key("gpu-proc");
    w.begin_array();
    for (const ProcessInputs& p : in.processes) {
        w.begin_object();
        w.key("gpu-idx");
        w.number(p.gpu_index);
        w.key("mem-perc-used");
        w.number(percent_of(p.memory_used, p.gpu_memory_total));
        w.key("pid");
        w.number(p.pid);
        w.key("sm-util");
        w.number(p.sm);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

}  // namespace

struct QueryWriter::Texts {
    std::mutex mutex;
    KeptTexts<ContainerInputs> kept;
};

namespace {

std::string write_query(const model::Snapshot& snapshot, QueryWriter::Texts* texts) {
    const model::HostStats& host = snapshot.host;
    std::string out;
    out.reserve(512 + 256 * snapshot.gpus.size() + 256 * snapshot.containers.size());
    JsonWriter w(out);
    w.begin_object();
    w.key("time");
    w.string(local_time_text(snapshot.time));
    w.key("hostname");
    w.string(host.hostname);
    w.key("ip");
    w.string(host.primary_ipv4.empty() ? std::string_view("127.0.0.1") : std::string_view(host.primary_ipv4));
    w.key("note");
    w.string(snapshot.note);
    w.key("host-stats");
    w.begin_object();
    w.key("cpu-perc");
    w.number(round1(host.cpu_busy_percent.value_or(0.0)));
    w.key("mem");
    write_memory(w, host.memory_used_bytes, host.memory_total_bytes);
    w.key("gpu");
    w.begin_array();
    for (const auto& gpu : snapshot.gpus) write_gpu(w, gpu);
    w.end_array();
    w.end_object();
    // Each container's GPU processes, in the snapshot's order.
    std::unordered_map<std::string_view, std::vector<const model::GpuProcess*>> processes_of;
    for (const auto& process : snapshot.gpu_processes)
        if (process.container_id) processes_of[*process.container_id].push_back(&process);
    static const std::vector<const model::GpuProcess*> kNone;
    // Keyed by short id. Two running containers under one short id (a 12-hex prefix collision) keep the
    // first one's place and show the last one's values, as the original's object assignment did: the
    // running rows sorted by short id (stable, so a group keeps the snapshot's order) say, for the first
    // row of each group, the row whose values go there (no map node per container per document).
    // Collisions are first looked for among the short ids' hashes (sorted numbers, not strings): only
    // equal hashes need the sort by short id.
    const auto& containers = snapshot.containers;
    std::vector<std::size_t> by_short_id;
    std::vector<std::size_t> hashes;
    by_short_id.reserve(containers.size());
    hashes.reserve(containers.size());
    for (std::size_t i = 0; i < containers.size(); ++i) {
        if (containers[i].state != "running") continue;
        by_short_id.push_back(i);
        hashes.push_back(std::hash<std::string_view>{}(containers[i].short_id));
    }
    std::sort(hashes.begin(), hashes.end());
    const bool maybe_shared = std::adjacent_find(hashes.begin(), hashes.end()) != hashes.end();
    std::vector<const model::ContainerStats*> values_at(containers.size(), nullptr);
    if (!maybe_shared) {
        for (std::size_t i : by_short_id) values_at[i] = &containers[i];
    } else {
        std::stable_sort(by_short_id.begin(), by_short_id.end(), [&](std::size_t a, std::size_t b) {
            return containers[a].short_id < containers[b].short_id;
        });
        for (std::size_t g = 0; g < by_short_id.size();) {
            std::size_t end = g + 1;
            while (end < by_short_id.size() &&
                   containers[by_short_id[end]].short_id == containers[by_short_id[g]].short_id)
                ++end;
            values_at[by_short_id[g]] = &containers[by_short_id[end - 1]];
            g = end;
        }
    }
    if (texts != nullptr) texts->kept.begin();
    w.key("container-stats");
    w.begin_object();
    for (std::size_t i = 0; i < containers.size(); ++i) {
        if (values_at[i] == nullptr) continue;  // not running, or written at its short id's first place
        const model::ContainerStats& container = *values_at[i];
        const auto procs = processes_of.find(container.id);
        ContainerInputs in = inputs_of(container, snapshot, procs == processes_of.end() ? kNone : procs->second);
        w.key(containers[i].short_id);
        if (texts == nullptr) {
            write_container(w, in);
            continue;
        }
        w.raw(texts->kept.text(container.id, in, [&](std::string& text) {
            JsonWriter own(text);
            write_container(own, in);
        }));
    }
    if (texts != nullptr) texts->kept.end();
    w.end_object();
    w.end_object();
    return out;
}

}  // namespace

std::string to_query_json(const model::Snapshot& snapshot) { return write_query(snapshot, nullptr); }

QueryWriter::QueryWriter() : texts_(std::make_unique<Texts>()) {}
QueryWriter::~QueryWriter() = default;

std::string QueryWriter::write(const model::Snapshot& snapshot) {
    std::lock_guard lock(texts_->mutex);
    return write_query(snapshot, texts_.get());
}

std::size_t QueryWriter::last_written() const {
    std::lock_guard lock(texts_->mutex);
    return texts_->kept.written();
}

}  // namespace cmon::exporters
