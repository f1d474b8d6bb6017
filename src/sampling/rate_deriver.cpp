#include "sampling/rate_deriver.hpp"

#include <chrono>
#include <unordered_map>

namespace cmon::sampling {

namespace {

std::optional<double> per_second(std::uint64_t before, std::uint64_t after, double seconds) {
    if (after < before || seconds <= 0) return std::nullopt;
    return static_cast<double>(after - before) / seconds;
}

void derive_counter(const model::ByteCounter& before, model::ByteCounter& after, double seconds) {
    after.bytes_per_second = per_second(before.bytes_total, after.bytes_total, seconds);
}

void derive_optional_counter(const std::optional<model::ByteCounter>& before, std::optional<model::ByteCounter>& after,
                             double seconds) {
    if (before && after) derive_counter(*before, *after, seconds);
}

void derive_host(const model::HostStats& before, model::HostStats& after, double seconds) {
    const auto& b = before.cpu_times;
    const auto& a = after.cpu_times;
    if (a.total_ticks > b.total_ticks && a.busy_ticks >= b.busy_ticks) {
        double busy = static_cast<double>(a.busy_ticks - b.busy_ticks);
        double total = static_cast<double>(a.total_ticks - b.total_ticks);
        after.cpu_busy_percent = std::min(100.0, 100.0 * busy / total);
    }
    derive_counter(before.network_rx, after.network_rx, seconds);
    derive_counter(before.network_tx, after.network_tx, seconds);
    derive_counter(before.disk_read, after.disk_read, seconds);
    derive_counter(before.disk_write, after.disk_write, seconds);
}

void derive_container(const model::ContainerStats& before, model::ContainerStats& after, double seconds) {
    if (before.cpu_time_ns_total && after.cpu_time_ns_total && *after.cpu_time_ns_total >= *before.cpu_time_ns_total) {
        // Percent of one core, as `docker stats` shows it: Δcpu_ns / Δwall_ns × 100.
        double cpu_ns = static_cast<double>(*after.cpu_time_ns_total - *before.cpu_time_ns_total);
        after.cpu_percent = 100.0 * cpu_ns / (seconds * 1e9);
    }
    derive_optional_counter(before.network_rx, after.network_rx, seconds);
    derive_optional_counter(before.network_tx, after.network_tx, seconds);
    derive_optional_counter(before.block_read, after.block_read, seconds);
    derive_optional_counter(before.block_write, after.block_write, seconds);
}

}  // namespace

void derive_rates(const model::Snapshot& previous, model::Snapshot& current) {
    double seconds = std::chrono::duration<double>(current.monotonic - previous.monotonic).count();
    if (seconds <= 0) return;
    derive_host(previous.host, current.host, seconds);

    // The rows come in the previous sample's order but where containers came or went: matched by place,
    // and by id (a map made once) where the place holds another container.
    std::unordered_map<std::string_view, const model::ContainerStats*> before_by_id;
    for (std::size_t i = 0; i < current.containers.size(); ++i) {
        auto& container = current.containers[i];
        const model::ContainerStats* before = nullptr;
        if (i < previous.containers.size() && previous.containers[i].id == container.id) {
            before = &previous.containers[i];
        } else {
            if (before_by_id.empty()) {
                for (const auto& row : previous.containers) before_by_id.emplace(row.id, &row);
            }
            const auto it = before_by_id.find(container.id);
            if (it != before_by_id.end()) before = it->second;
        }
        // A container recreated under the same id restarted its counters: derive_* refuse backwards steps.
        if (before != nullptr) derive_container(*before, container, seconds);
    }
}

}  // namespace cmon::sampling
