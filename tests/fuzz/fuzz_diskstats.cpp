// /proc/diskstats and the whole-disk sum (every parsed name counts as a whole disk here).
#include <set>
#include <string>

#include "fuzz_input.hpp"
#include "sources/host/diskstats_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto entries = cmon::sources::parse_diskstats(cmon::fuzz::as_text(data, size));
    std::set<std::string, std::less<>> disks;
    for (const auto& entry : entries) {
        if (cmon::sources::is_counted_block_device(entry.name)) disks.insert(entry.name);
    }
    const auto totals = cmon::sources::sum_whole_disks(entries, disks);
    cmon::fuzz::keep(totals);
    return 0;
}
