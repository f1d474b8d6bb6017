// Docker Engine API bodies -> structs (nlohmann-json). Pure: no I/O.
#include "sources/docker/docker_json_parser.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/text.hpp"

namespace cmon::sources {

namespace {

using nlohmann::json;

json parse_or_discard(std::string_view body) { return json::parse(body.begin(), body.end(), nullptr, false); }

const json* member(const json& object, std::string_view key) {
    if (!object.is_object()) {
        return nullptr;
    }
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const json* path(const json& root, std::initializer_list<std::string_view> keys) {
    const json* node = &root;
    for (auto key : keys) {
        node = member(*node, key);
        if (node == nullptr) {
            return nullptr;
        }
    }
    return node;
}

std::optional<std::uint64_t> u64_at(const json& root, std::initializer_list<std::string_view> keys) {
    const json* node = path(root, keys);
    if (node != nullptr && node->is_number_unsigned()) {
        return node->get<std::uint64_t>();
    }
    return std::nullopt;
}

std::string string_at(const json& root, std::string_view key) {
    const json* node = member(root, key);
    return node != nullptr && node->is_string() ? node->get<std::string>() : std::string();
}

std::optional<unsigned> parse_gpu_index(std::string_view text) {
    auto value = util::parse_u64(util::trim(text));
    if (!value || *value > 1024) {
        return std::nullopt;
    }
    return static_cast<unsigned>(*value);
}

void add_index(GpuAssignment& out, unsigned index) {
    if (std::find(out.indices.begin(), out.indices.end(), index) == out.indices.end()) {
        out.indices.push_back(index);
    }
}

// Sums io_service_bytes_recursive entries by op; v1 writes "Read"/"Write", v2 "read"/"write".
void parse_blkio(const json& root, DockerStats& out) {
    const json* entries = path(root, {"blkio_stats", "io_service_bytes_recursive"});
    if (entries == nullptr || !entries->is_array()) {
        return;
    }
    std::uint64_t read = 0;
    std::uint64_t write = 0;
    for (const auto& entry : *entries) {
        auto value = u64_at(entry, {"value"});
        std::string op = string_at(entry, "op");
        std::transform(op.begin(), op.end(), op.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!value) {
            continue;
        }
        if (op == "read") {
            read += *value;
        } else if (op == "write") {
            write += *value;
        }
    }
    out.block_read_bytes = read;
    out.block_write_bytes = write;
}

void parse_memory(const json& root, DockerStats& out) {
    out.memory_usage_bytes = u64_at(root, {"memory_stats", "usage"});
    // The Docker CLI's formula (cli/command/container/stats_helpers.go, calculateMemUsageUnixNoCache):
    // cgroup v1 subtracts total_inactive_file, v2 inactive_file, when smaller than usage.
    out.memory_inactive_file_bytes = u64_at(root, {"memory_stats", "stats", "total_inactive_file"});
    if (!out.memory_inactive_file_bytes) {
        out.memory_inactive_file_bytes = u64_at(root, {"memory_stats", "stats", "inactive_file"});
    }
    if (out.memory_usage_bytes) {
        std::uint64_t inactive = out.memory_inactive_file_bytes.value_or(0);
        out.memory_working_set_bytes =
            inactive < *out.memory_usage_bytes ? *out.memory_usage_bytes - inactive : *out.memory_usage_bytes;
    }
    // v1 reports the host's memory as "limit" when the cgroup is unlimited; hierarchical_memory_limit
    // then holds the kernel's "no limit" value (PAGE_COUNTER_MAX pages, ~2^63).
    out.memory_limit_bytes = u64_at(root, {"memory_stats", "limit"});
    auto hierarchical = u64_at(root, {"memory_stats", "stats", "hierarchical_memory_limit"});
    constexpr std::uint64_t kUnlimited = std::uint64_t{1} << 62;
    if ((hierarchical && *hierarchical >= kUnlimited) ||
        (out.memory_limit_bytes && *out.memory_limit_bytes >= kUnlimited)) {
        out.memory_limit_bytes.reset();
    }
}

}  // namespace

bool label_allowed(std::string_view key, const std::vector<std::string>& allowlist) {
    return std::any_of(allowlist.begin(), allowlist.end(), [key](const std::string& entry) {
        if (!entry.empty() && entry.back() == '*') {
            return key.starts_with(std::string_view(entry).substr(0, entry.size() - 1));
        }
        return key == entry;
    });
}

namespace {

// GET /containers/json read as a stream of SAX events, keeping six members of each container and building
// nothing else: no tree for NetworkSettings, HostConfig, Mounts, Ports... (a DOM parse, even one that
// discards those members through a callback, allocated every value first: 2-3× the time at 100 containers).
// What a DOM parse would keep is kept: the last of repeated keys wins, wrongly typed members stay empty.
class ContainerListSax {
public:
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    explicit ContainerListSax(const std::vector<std::string>& allowlist) : allowlist_(allowlist) {}

    bool null() { return scalar(); }
    bool boolean(bool) { return scalar(); }
    bool number_integer(number_integer_t value) { return integer(value); }
    bool number_unsigned(number_unsigned_t value) {
        return integer(static_cast<std::int64_t>(value));  // what json::get<std::int64_t>() gives
    }
    bool number_float(number_float_t, const string_t&) { return scalar(); }
    bool binary(binary_t&) { return scalar(); }
    bool string(string_t& value) {
        if (depth_ == 2) {
            switch (field_) {
                case Field::id:
                    current_.id = std::move(value);
                    break;
                case Field::image:
                    current_.image = std::move(value);
                    break;
                case Field::state:
                    current_.state = std::move(value);
                    break;
                default:
                    break;
            }
            field_ = Field::none;
        } else if (depth_ == 3 && field_ == Field::names) {
            current_.names.push_back(std::move(value));
        } else if (depth_ == 3 && field_ == Field::labels && label_allowed(label_key_, allowlist_)) {
            current_.labels.insert_or_assign(label_key_, std::move(value));
        }
        return true;
    }
    bool start_object(std::size_t) { return open(true); }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(false); }
    bool end_array() { return close(); }
    bool key(string_t& name) {
        if (depth_ == 2) {
            field_ = name == "Id"        ? Field::id
                     : name == "Names"   ? Field::names
                     : name == "Image"   ? Field::image
                     : name == "State"   ? Field::state
                     : name == "Created" ? Field::created
                     : name == "Labels"  ? Field::labels
                                         : Field::none;
            // A repeated key replaces what the earlier one gave, as in a DOM object.
            switch (field_) {
                case Field::id:
                    current_.id.clear();
                    break;
                case Field::names:
                    current_.names.clear();
                    break;
                case Field::image:
                    current_.image.clear();
                    break;
                case Field::state:
                    current_.state.clear();
                    break;
                case Field::created:
                    current_.created_unix.reset();
                    break;
                case Field::labels:
                    current_.labels.clear();
                    break;
                case Field::none:
                    break;
            }
        } else if (depth_ == 3 && field_ == Field::labels) {
            label_key_ = std::move(name);
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        failed_ = true;
        return false;
    }

    // The containers, or nullopt when the body was not a well-formed JSON array.
    std::optional<std::vector<DockerContainerSummary>> result() {
        if (failed_ || !root_is_array_) return std::nullopt;
        return std::move(out_);
    }

private:
    enum class Field { none, id, names, image, state, created, labels };

    bool scalar() {
        if (depth_ == 2) field_ = Field::none;
        return true;
    }
    bool integer(std::int64_t value) {
        if (depth_ == 2 && field_ == Field::created) current_.created_unix = value;
        return scalar();
    }
    bool open(bool object) {
        if (depth_ == 0) root_is_array_ = !object;
        if (depth_ == 1 && object) current_ = DockerContainerSummary{};
        // Names must be an array and Labels an object to be read; anything else under them is skipped.
        if (depth_ == 2 && ((field_ == Field::names && object) || (field_ == Field::labels && !object))) {
            field_ = Field::none;
        }
        if (depth_ == 2 && field_ != Field::names && field_ != Field::labels) field_ = Field::none;
        in_object_[std::min<std::size_t>(depth_, kTracked - 1)] = object;
        ++depth_;
        return true;
    }
    bool close() {
        --depth_;
        if (depth_ == 2) field_ = Field::none;  // the end of a container's Names or Labels
        if (depth_ == 1 && in_object_[1] && !current_.id.empty()) out_.push_back(std::move(current_));
        return true;
    }

    static constexpr std::size_t kTracked = 3;
    const std::vector<std::string>& allowlist_;
    std::vector<DockerContainerSummary> out_;
    DockerContainerSummary current_;
    std::string label_key_;
    Field field_ = Field::none;
    std::size_t depth_ = 0;
    bool in_object_[kTracked] = {};
    bool root_is_array_ = false;
    bool failed_ = false;
};

}  // namespace

std::vector<DockerContainerSummary> parse_container_list(std::string_view body,
                                                         const std::vector<std::string>& label_allowlist) {
    ContainerListSax sax(label_allowlist);
    json::sax_parse(body.begin(), body.end(), &sax, nlohmann::json::input_format_t::json, true);
    auto list = sax.result();
    if (!list) {
        throw util::Error("docker: GET /containers/json: the response is not a JSON array");
    }
    return std::move(*list);
}

std::vector<DockerEvent> parse_events(std::string_view body) {
    std::vector<DockerEvent> out;
    for (std::string_view line : util::split(body, '\n')) {
        json event = parse_or_discard(line);
        if (!event.is_object()) continue;
        DockerEvent parsed;
        parsed.type = string_at(event, "Type");
        parsed.action = string_at(event, "Action");
        if (parsed.action.empty()) parsed.action = string_at(event, "status");
        if (const json* ns = member(event, "timeNano"); ns != nullptr && ns->is_number_integer()) {
            parsed.time_ns = ns->get<std::int64_t>();
        } else if (const json* s = member(event, "time"); s != nullptr && s->is_number_integer()) {
            // Seconds beyond what nanoseconds can hold are no time (and would overflow): the event is dropped.
            const std::int64_t seconds = s->get<std::int64_t>();
            if (seconds > 0 && seconds <= std::numeric_limits<std::int64_t>::max() / 1000000000) {
                parsed.time_ns = seconds * 1000000000;
            }
        }
        if (parsed.action.empty() || parsed.time_ns <= 0) continue;
        out.push_back(std::move(parsed));
    }
    return out;
}

std::optional<DockerInspect> parse_container_inspect(std::string_view body) {
    json root = parse_or_discard(body);
    if (!root.is_object()) {
        return std::nullopt;
    }
    DockerInspect out;
    if (const json* pid = path(root, {"State", "Pid"}); pid != nullptr && pid->is_number_integer()) {
        auto value = pid->get<std::int64_t>();
        if (value > 0 && value <= 0x3fffffff) {
            out.pid = static_cast<int>(value);
        }
    }
    if (const json* started = path(root, {"State", "StartedAt"}); started != nullptr && started->is_string()) {
        out.started_at = parse_rfc3339(started->get_ref<const std::string&>());
    }
    if (const json* requests = path(root, {"HostConfig", "DeviceRequests"});
        requests != nullptr && requests->is_array()) {
        for (const auto& request : *requests) {
            bool is_gpu = false;
            if (const json* caps = member(request, "Capabilities"); caps != nullptr && caps->is_array()) {
                for (const auto& group : *caps) {
                    is_gpu =
                        is_gpu || (group.is_array() && std::find(group.begin(), group.end(), "gpu") != group.end());
                }
            }
            if (!is_gpu) {
                continue;
            }
            out.gpu_requested = true;
            if (const json* ids = member(request, "DeviceIDs"); ids != nullptr && ids->is_array()) {
                for (const auto& id : *ids) {
                    if (id.is_string()) {
                        out.gpu_device_ids.push_back(id.get<std::string>());
                    }
                }
            }
            if (const json* count = member(request, "Count"); count != nullptr && count->is_number_integer()) {
                auto value = count->get<std::int64_t>();
                if (value != 0) {
                    out.gpu_count = value < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(value, 1024));
                }
            }
        }
    }
    if (const json* env = path(root, {"Config", "Env"}); env != nullptr && env->is_array()) {
        constexpr std::string_view kKey = "NVIDIA_VISIBLE_DEVICES=";
        for (const auto& entry : *env) {
            if (entry.is_string()) {
                std::string_view text = entry.get_ref<const std::string&>();
                if (text.starts_with(kKey)) {
                    out.nvidia_visible_devices = std::string(text.substr(kKey.size()));
                }
            }
        }
    }
    return out;
}

std::optional<DockerStats> parse_container_stats(std::string_view body) {
    json root = parse_or_discard(body);
    if (!root.is_object()) {
        return std::nullopt;
    }
    DockerStats out;
    out.cpu_time_ns_total = u64_at(root, {"cpu_stats", "cpu_usage", "total_usage"});
    parse_memory(root, out);
    out.pids = u64_at(root, {"pids_stats", "current"});
    if (const json* networks = member(root, "networks"); networks != nullptr && networks->is_object()) {
        std::uint64_t rx = 0;
        std::uint64_t tx = 0;
        for (const auto& [name, counters] : networks->items()) {
            if (name != "lo") {
                rx += u64_at(counters, {"rx_bytes"}).value_or(0);
                tx += u64_at(counters, {"tx_bytes"}).value_or(0);
            }
        }
        out.network_rx_bytes = rx;
        out.network_tx_bytes = tx;
    }
    parse_blkio(root, out);
    return out;
}

std::optional<std::string> parse_api_version(std::string_view body) {
    json root = parse_or_discard(body);
    std::string version = string_at(root, "ApiVersion");
    if (version.empty()) {
        return std::nullopt;
    }
    return version;
}

std::optional<model::TimePoint> parse_rfc3339(std::string_view text) {
    // 2026-11-28T12:45:51.151844946Z  /  2026-11-28T13:45:51+01:00
    auto digits = [&](std::size_t pos, std::size_t count) -> std::optional<int> {
        if (pos + count > text.size()) {
            return std::nullopt;
        }
        int value = 0;
        for (std::size_t i = pos; i < pos + count; ++i) {
            if (text[i] < '0' || text[i] > '9') {
                return std::nullopt;
            }
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    auto at = [&](std::size_t pos, char c) { return pos < text.size() && text[pos] == c; };
    auto year = digits(0, 4);
    auto month = digits(5, 2);
    auto day = digits(8, 2);
    auto hour = digits(11, 2);
    auto minute = digits(14, 2);
    auto second = digits(17, 2);
    if (!year || !month || !day || !hour || !minute || !second || !at(4, '-') || !at(7, '-') ||
        !(at(10, 'T') || at(10, 't') || at(10, ' ')) || !at(13, ':') || !at(16, ':')) {
        return std::nullopt;
    }
    // Year 1 is Go's zero time ("never started"); a time point counts nanoseconds in 64 bits, which reach from
    // 1677 to 2262: anything outside is not a time Docker reports, and would overflow (found by fuzz_docker_json).
    if (*year < 1678 || *year > 2261 || *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                     std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::int64_t nanos = 0;
    if (at(pos, '.')) {
        ++pos;
        std::size_t count = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (count < 9) {
                nanos = nanos * 10 + (text[pos] - '0');
            }
            ++count;
            ++pos;
        }
        if (count == 0) {
            return std::nullopt;
        }
        for (std::size_t i = count; i < 9; ++i) {
            nanos *= 10;
        }
    }
    std::int64_t offset_seconds = 0;
    if (at(pos, 'Z') || at(pos, 'z')) {
        ++pos;
    } else if (at(pos, '+') || at(pos, '-')) {
        int sign = text[pos] == '-' ? -1 : 1;
        auto oh = digits(pos + 1, 2);
        auto om = digits(pos + 4, 2);
        if (!oh || !om || !at(pos + 3, ':') || *oh > 23 || *om > 59) {
            return std::nullopt;
        }
        offset_seconds = sign * (*oh * 3600 + *om * 60);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    auto seconds = std::chrono::sys_days{date}.time_since_epoch() + std::chrono::hours{*hour} +
                   std::chrono::minutes{*minute} + std::chrono::seconds{*second} - std::chrono::seconds{offset_seconds};
    return model::TimePoint{
        std::chrono::duration_cast<model::Clock::duration>(seconds + std::chrono::nanoseconds{nanos})};
}

GpuAssignment gpu_assignment(const DockerInspect& inspect) {
    GpuAssignment out;
    if (inspect.gpu_count && *inspect.gpu_count < 0) {
        out.all = true;
    } else if (inspect.gpu_count && inspect.gpu_device_ids.empty()) {
        for (int i = 0; i < *inspect.gpu_count; ++i) {
            add_index(out, static_cast<unsigned>(i));
        }
    }
    for (const auto& id : inspect.gpu_device_ids) {
        if (auto index = parse_gpu_index(id)) {
            add_index(out, *index);
        }
    }
    if (inspect.nvidia_visible_devices) {
        std::string_view value = util::trim(*inspect.nvidia_visible_devices);
        if (value == "all") {
            out.all = true;
        } else if (value != "none" && value != "void" && !value.empty()) {
            for (auto part : util::split(value, ',')) {
                if (auto index = parse_gpu_index(part)) {
                    add_index(out, *index);
                }
            }
        }
    }
    std::sort(out.indices.begin(), out.indices.end());
    return out;
}

}  // namespace cmon::sources
