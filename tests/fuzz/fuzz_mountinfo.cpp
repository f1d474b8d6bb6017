// /proc/<pid>/mountinfo, its octal escapes and the disk-mount filter.
#include "fuzz_input.hpp"
#include "sources/host/mountinfo_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cmon::fuzz::as_text(data, size);
    const auto mounts = cmon::sources::parse_mountinfo(text);
    const auto disks = cmon::sources::select_disk_mounts(mounts);
    const auto decoded = cmon::sources::decode_mount_escapes(text);
    cmon::fuzz::keep(disks);
    cmon::fuzz::keep(decoded);
    return 0;
}
