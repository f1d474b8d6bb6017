// KfdReader: amdkfd's topology and per-process sysfs (drivers/gpu/drm/amd/amdkfd/kfd_topology.c,
// kfd_process.c). Files of an exiting process vanish between reads: that reading is simply absent.
#include "sources/gpu/drm/kfd_reader.hpp"

#include <algorithm>
#include <system_error>

#include "sources/gpu/drm/sysfs_value_parser.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace cmon::sources {

namespace fs = std::filesystem;

namespace {

std::optional<std::uint64_t> read_u64(const fs::path& path) {
    auto text = util::read_text_file(path, 256);
    if (!text) return std::nullopt;
    return parse_sysfs_u64(*text);
}

}  // namespace

KfdReader::KfdReader(fs::path sys) : kfd_(std::move(sys) / "class" / "kfd" / "kfd") {}

std::vector<KfdNode> KfdReader::topology() const {
    std::vector<KfdNode> nodes;
    std::error_code ec;
    for (fs::directory_iterator it(kfd_ / "topology" / "nodes", ec), end; !ec && it != end; it.increment(ec)) {
        auto gpu_id = read_u64(it->path() / "gpu_id");
        if (!gpu_id || *gpu_id == 0) continue;  // a CPU node
        KfdNode node;
        node.gpu_id = *gpu_id;
        const auto properties = parse_kfd_properties(util::read_text_file(it->path() / "properties").value_or(""));
        auto find = [&](const char* key) -> std::optional<std::uint64_t> {
            auto found = properties.find(key);
            if (found == properties.end()) return std::nullopt;
            return found->second;
        };
        if (auto minor = find("drm_render_minor"); minor && *minor < 0x100000)
            node.render_minor = static_cast<unsigned>(*minor);
        auto simds = find("simd_count");
        auto per_cu = find("simd_per_cu");
        if (simds && per_cu && *per_cu > 0 && *simds / *per_cu > 0 && *simds / *per_cu < 0x100000)
            node.compute_units = static_cast<unsigned>(*simds / *per_cu);
        nodes.push_back(node);
    }
    std::sort(nodes.begin(), nodes.end(), [](const KfdNode& a, const KfdNode& b) { return a.gpu_id < b.gpu_id; });
    return nodes;
}

std::vector<KfdProcessUse> KfdReader::processes(const std::vector<KfdNode>& nodes) const {
    std::vector<KfdProcessUse> out;
    if (nodes.empty()) return out;
    std::error_code ec;
    for (fs::directory_iterator it(kfd_ / "proc", ec), end; !ec && it != end; it.increment(ec)) {
        auto pid = util::parse_u64(it->path().filename().string());
        if (!pid || *pid == 0 || *pid > 0xffffffffULL) continue;
        for (const KfdNode& node : nodes) {
            const std::string id = std::to_string(node.gpu_id);
            KfdProcessUse use;
            use.pid = static_cast<unsigned>(*pid);
            use.gpu_id = node.gpu_id;
            use.render_minor = node.render_minor;
            use.vram_bytes = read_u64(it->path() / ("vram_" + id));
            auto occupied = read_u64(it->path() / ("stats_" + id) / "cu_occupancy");
            if (occupied && node.compute_units) {
                use.cu_percent = std::min(100.0, 100.0 * static_cast<double>(*occupied) / *node.compute_units);
            }
            if (use.vram_bytes || use.cu_percent) out.push_back(use);
        }
    }
    return out;
}

}  // namespace cmon::sources
