// KeptProcFile: keeps a procfs descriptor, opens anything else per read.
#include "sources/host/kept_proc_file.hpp"

#include <sys/vfs.h>

#include <utility>

namespace cmon::sources {

namespace {

constexpr long kProcSuperMagic = 0x9fa0;  // linux/magic.h PROC_SUPER_MAGIC

}  // namespace

bool on_procfs(const std::filesystem::path& path) {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == kProcSuperMagic;
}

KeptProcFile::KeptProcFile(std::vector<std::filesystem::path> candidates) : candidates_(std::move(candidates)) {
    if (candidates_.empty()) candidates_.emplace_back();
}

KeptProcFile::KeptProcFile(std::filesystem::path path) : KeptProcFile(std::vector{std::move(path)}) {}

std::optional<std::string_view> KeptProcFile::read() {
    if (file_) {
        if (auto text = file_.read(buffer_)) return text;
        file_ = KernelFile();  // gone: look again from the first candidate
    }
    for (std::size_t index = 0; index < candidates_.size(); ++index) {
        KernelFile opened = KernelFile::open(candidates_[index]);
        if (!opened) continue;
        auto text = opened.read(buffer_);
        if (!text) continue;
        source_ = index;
        // statfs only when a descriptor is new: once per run on procfs, per read elsewhere (fixtures).
        if (on_procfs(candidates_[index])) file_ = std::move(opened);
        return text;
    }
    return std::nullopt;
}

}  // namespace cmon::sources
