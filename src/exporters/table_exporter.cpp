#include "exporters/table_exporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "exporters/container_view.hpp"
#include "exporters/format.hpp"

namespace cmon::exporters {

namespace {

std::string percent_text(const std::optional<double>& value) {
    return value ? fmt::format("{:.1f}%", *value) : std::string("-");
}

std::string io_pair(const std::optional<model::ByteCounter>& in, const std::optional<model::ByteCounter>& out) {
    if (!in && !out) return "-";
    return human_bytes(in ? in->bytes_total : 0) + " / " + human_bytes(out ? out->bytes_total : 0);
}

std::string clip(std::string text, std::size_t width) {
    if (text.size() <= width) return text;
    return text.substr(0, width - 1) + "~";
}

void append_process(std::string& out, const model::GpuProcess& p) {
    std::string inner = p.container_pid ? fmt::format(" (pid {} inside)", *p.container_pid) : std::string();
    std::string idle = p.idle_since ? "  IDLE HOLDER" : std::string();
    std::string gone = p.process_exists ? std::string() : "  process gone, memory still held";
    std::string command = p.command ? "  " + clip(*p.command, 60) : std::string();  // only with --show-cmdline
    out += fmt::format("    └ pid {}{}  GPU {}  {}  SM {}{}{}{}\n", p.pid, inner, p.gpu_index,
                       p.memory_used_bytes ? human_bytes(*p.memory_used_bytes) : std::string("-"),
                       p.sm_percent ? fmt::format("{}%", *p.sm_percent) : std::string("-"), idle, gone, command);
}

void append_host(std::string& out, const model::Snapshot& s) {
    const auto& h = s.host;
    out += fmt::format("HOST {}  {}  {}\n", h.hostname, h.primary_ipv4, local_time_text(s.time));
    out += fmt::format("  CPU {} of {} cores", percent_text(h.cpu_busy_percent), h.cpu_count);
    if (h.load) out += fmt::format("   load {:.2f} {:.2f} {:.2f}", h.load->one, h.load->five, h.load->fifteen);
    out += fmt::format("   memory {} / {} ({:.1f}%)\n", human_bytes(h.memory_used_bytes),
                       human_bytes(h.memory_total_bytes), percent_of(h.memory_used_bytes, h.memory_total_bytes));
    for (const auto& fs : h.filesystems)
        out += fmt::format("  disk {:<20} {} / {} ({:.1f}%)\n", fs.mount_point, human_bytes(fs.used_bytes),
                           human_bytes(fs.total_bytes), percent_of(fs.used_bytes, fs.total_bytes));
}

void append_gpus(std::string& out, const model::Snapshot& s) {
    if (s.gpus.empty()) return;
    out += fmt::format("\n{:<4} {:<28} {:>5} {:>21} {:>5} {:>15}\n", "GPU", "NAME", "UTIL", "MEMORY", "TEMP", "POWER");
    for (const auto& g : s.gpus) {
        if (g.lost) {
            out += fmt::format("{:<4} {:<28} lost (fell off the bus or stopped answering)\n", g.index, clip(g.name, 28));
            continue;
        }
        std::string memory = g.memory_used_bytes && g.memory_total_bytes
                                 ? human_bytes(*g.memory_used_bytes) + " / " + human_bytes(*g.memory_total_bytes)
                                 : std::string("-");
        std::string power = g.power_draw_milliwatts
                                ? fmt::format("{:.0f}W", *g.power_draw_milliwatts / 1000.0) +
                                      (g.power_limit_milliwatts ? fmt::format(" / {:.0f}W", *g.power_limit_milliwatts / 1000.0)
                                                                : std::string())
                                : std::string("-");
        out += fmt::format("{:<4} {:<28} {:>5} {:>21} {:>5} {:>15}\n", g.index, clip(g.name, 28),
                           g.utilization_percent ? fmt::format("{}%", *g.utilization_percent) : "-", memory,
                           g.temperature_celsius ? fmt::format("{}C", *g.temperature_celsius) : "-", power);
    }
}

void append_containers(std::string& out, const model::Snapshot& s) {
    out += fmt::format("\n{:<12}  {:<24} {:<12} {:>7}  {:>21} {:>6} {:>5}  {:>21}  {:>21}  {:>9}\n", "CONTAINER ID",
                       "NAME", "OWNER", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS", "NET I/O", "BLOCK I/O", "GPU MEM");
    for (const auto& c : s.containers) {
        std::uint64_t limit = container_memory_limit_or_host(s, c);
        std::uint64_t used = c.memory_working_set_bytes.value_or(0);
        std::uint64_t gpu = container_gpu_memory(s, c.id).value_or(0);
        out += fmt::format("{:<12}  {:<24} {:<12} {:>7}  {:>21} {:>5.1f}% {:>5}  {:>21}  {:>21}  {:>9}\n", c.short_id,
                           clip(c.name, 24), clip(c.owner.empty() ? c.name : c.owner, 12), percent_text(c.cpu_percent), human_bytes(used) + " / " + human_bytes(limit),
                           percent_of(used, limit), c.pids ? std::to_string(*c.pids) : "-",
                           io_pair(c.network_rx, c.network_tx), io_pair(c.block_read, c.block_write),
                           gpu ? human_bytes(gpu) : "-");
        for (const auto& p : s.gpu_processes)
            if (p.container_id && *p.container_id == c.id) append_process(out, p);
    }
    if (s.containers.empty()) out += "(no running containers)\n";
    bool header = false;
    for (const auto& p : s.gpu_processes) {
        if (p.container_id) continue;
        if (!header) out += "\nGPU PROCESSES OUTSIDE CONTAINERS\n";
        header = true;
        append_process(out, p);
    }
}

}  // namespace

std::string human_bytes(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    if (unit == 0) return fmt::format("{}B", bytes);
    int decimals = value < 10 ? 2 : value < 100 ? 1 : 0;
    return fmt::format("{:.{}f}{}", value, decimals, kUnits[unit]);
}

std::string to_table(const model::Snapshot& snapshot) {
    std::string out;
    append_host(out, snapshot);
    append_gpus(out, snapshot);
    append_containers(out, snapshot);
    for (const auto& source : snapshot.sources) {
        if (source.ok && !source.note.empty()) out += "\nNOTE " + source.name + ": " + source.note + "\n";
    }
    bool header = false;
    for (const auto& source : snapshot.sources) {
        if (source.ok) continue;
        if (!header) out += "\nMISSING\n";
        header = true;
        out += "  " + source.error + "\n";
    }
    return out;
}

}  // namespace cmon::exporters
