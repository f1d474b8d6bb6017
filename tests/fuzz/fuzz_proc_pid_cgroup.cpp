// /proc/<pid>/cgroup: the cgroup locator's parser and the attribution's container-id finder.
#include "attribution/cgroup_id_parser.hpp"
#include "fuzz_input.hpp"
#include "sources/cgroup/cgroup_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cmon::fuzz::as_text(data, size);
    const auto entries = cmon::sources::parse_proc_cgroup(text);
    for (const char* controller : {"", "memory", "cpuacct", "blkio", "pids", "name=systemd"}) {
        cmon::fuzz::keep(cmon::sources::find_proc_cgroup_path(entries, controller));
    }
    const auto id = cmon::attribution::container_id_from_cgroup(text);
    if (id && id->size() != 64) __builtin_trap();  // the contract: a full 64-hex id or nothing
    return 0;
}
