// GpuAccountant: the fold described in the header.
#include "sampling/gpu_accountant.hpp"

#include <algorithm>

namespace cmon::sampling {

namespace {

using model::GpuSeconds;

// MIG fields arrive with the NVML work (GpuProcess::gpu_instance_id, GpuDevice::mig_devices); until a model
// has them every process keys by its GPU index alone.
template <class Process>
std::optional<unsigned> gpu_instance_of(const Process& process) {
    if constexpr (requires { process.gpu_instance_id; }) {
        return process.gpu_instance_id;
    } else {
        return std::nullopt;
    }
}

template <class Device>
std::string uuid_of(const Device& device, std::optional<unsigned> gpu_instance_id) {
    if constexpr (requires { device.mig_devices; }) {
        if (gpu_instance_id) {
            for (const auto& mig : device.mig_devices)
                if (mig.gpu_instance_id == *gpu_instance_id) return mig.uuid;
        }
    }
    return device.uuid;
}

// A listed process holds a context on the GPU; with memory reported, it holds when that is above zero.
bool holds_memory(const model::GpuProcess& process) {
    return !process.memory_used_bytes || *process.memory_used_bytes > 0;
}

GpuAccountantOptions sane(GpuAccountantOptions options) {
    if (options.bucket.count() <= 0) options.bucket = std::chrono::seconds(1);
    return options;
}

double seconds_between(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

GpuAccountant::GpuAccountant(GpuAccountantOptions options, const util::Clock& clock)
    : options_(sane(options)), started_(clock.system_now()) {}

GpuAccountant::HoldingMap GpuAccountant::holdings_of(const model::Snapshot& snapshot) {
    HoldingMap out;
    for (const auto& process : snapshot.gpu_processes) {
        if (!process.container_id || process.container_id->empty() || !holds_memory(process)) continue;
        const GpuKey gpu{process.gpu_index, gpu_instance_of(process)};
        auto [it, first] = out.try_emplace(std::make_pair(*process.container_id, gpu));
        Holding& holding = it->second;
        holding.held = true;
        holding.sm_percent += process.sm_percent.value_or(0);
        holding.idle = (first || holding.idle) && process.idle_since.has_value();
    }
    for (auto& [key, holding] : out) {
        holding.sm_percent = std::min(holding.sm_percent, 100.0);
        for (const auto& device : snapshot.gpus) {
            if (device.index == key.second.first) holding.uuid = uuid_of(device, key.second.second);
        }
    }
    return out;
}

std::int64_t GpuAccountant::bucket_of(model::TimePoint time) const {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
    const auto width = options_.bucket.count();
    const auto floored = seconds >= 0 ? seconds / width : (seconds - width + 1) / width;
    return floored * width;
}

void GpuAccountant::accrue(const std::string& id, const GpuKey& gpu, const std::string& uuid, const GpuSeconds& add,
                           model::TimePoint at) {
    Container& container = containers_[id];
    if (container.short_id.empty()) container.short_id = id.substr(0, 12);
    Account& account = container.gpus[gpu];
    if (!uuid.empty()) account.uuid = uuid;
    account.total += add;
    const std::int64_t start = bucket_of(at);
    if (account.buckets.empty() || account.buckets.back().start != start) account.buckets.push_back({start, {}});
    account.buckets.back().seconds += add;
}

void GpuAccountant::update_containers(const model::Snapshot& snapshot, const HoldingMap& now) {
    // Every listed container is looked at each sample: marked with the sample's round rather than copied
    // into a set of listed ids.
    ++listing_round_;
    for (const auto& c : snapshot.containers) {
        auto found = containers_.find(c.id);
        // Containers enter accounting when they first hold a GPU; listed ones just refresh name and owner.
        if (found == containers_.end()) {
            const auto held = now.lower_bound(std::make_pair(c.id, GpuKey{}));  // ordered by id first
            if (held == now.end() || held->first.first != c.id) continue;
            found = containers_.emplace(c.id, Container{}).first;
        }
        Container& container = found->second;
        container.short_id = c.short_id.empty() ? c.id.substr(0, 12) : c.short_id;
        container.name = c.name;
        container.owner = c.owner.empty() ? c.name : c.owner;
        container.removed_at.reset();
        container.listed_round = listing_round_;
    }
    // A failed container listing says nothing about removals.
    const bool listing_ok = std::none_of(snapshot.sources.begin(), snapshot.sources.end(),
                                         [](const auto& h) { return h.name == "docker" && !h.ok; });
    if (!listing_ok) return;
    for (auto& [id, container] : containers_) {
        if (container.listed_round != listing_round_ && !container.removed_at) container.removed_at = snapshot.time;
    }
}

void GpuAccountant::add(const model::Snapshot& snapshot) {
    HoldingMap now = holdings_of(snapshot);
    std::lock_guard lock(mutex_);
    sequence_ = snapshot.sequence;
    std::optional<std::chrono::nanoseconds> dt;
    if (previous_time_) {
        if (previous_monotonic_ && snapshot.monotonic != std::chrono::steady_clock::time_point{} &&
            *previous_monotonic_ != std::chrono::steady_clock::time_point{})
            dt = snapshot.monotonic - *previous_monotonic_;
        else
            dt = snapshot.time - *previous_time_;
    }
    if (dt && *dt > std::chrono::nanoseconds::zero() && *dt <= options_.max_gap) {
        const double seconds = seconds_between(*dt);
        static const Holding kNone;
        // Every key held before or now, in order: the two maps walked side by side.
        auto before = previous_.begin();
        auto after = now.begin();
        while (before != previous_.end() || after != now.end()) {
            const bool take_before = after == now.end() || (before != previous_.end() && before->first <= after->first);
            const bool take_after = before == previous_.end() || (after != now.end() && after->first <= before->first);
            const auto& key = take_before ? before->first : after->first;
            const Holding& start = take_before ? before->second : kNone;
            const Holding& end = take_after ? after->second : kNone;
            GpuSeconds add;
            add.held_seconds = seconds * ((start.held ? 0.5 : 0.0) + (end.held ? 0.5 : 0.0));
            add.idle_held_seconds = seconds * ((start.idle ? 0.5 : 0.0) + (end.idle ? 0.5 : 0.0));
            add.busy_seconds = std::min(seconds * end.sm_percent / 100.0, add.held_seconds);
            // In the bucket where the interval began, so a window starting on a bucket boundary counts
            // exactly the intervals after it.
            accrue(key.first, key.second, end.uuid.empty() ? start.uuid : end.uuid, add, *previous_time_);
            if (take_before) ++before;
            if (take_after) ++after;
        }
    }
    update_containers(snapshot, now);
    previous_ = std::move(now);
    previous_time_ = snapshot.time;
    previous_monotonic_ = snapshot.monotonic;
    prune(snapshot.time);
}

void GpuAccountant::prune(model::TimePoint now) {
    const model::TimePoint oldest = now - options_.retention;
    const std::int64_t oldest_bucket = bucket_of(oldest);
    for (auto it = containers_.begin(); it != containers_.end();) {
        Container& container = it->second;
        if (container.removed_at && *container.removed_at < oldest) {
            it = containers_.erase(it);
            continue;
        }
        for (auto& [gpu, account] : container.gpus) {
            while (!account.buckets.empty() && account.buckets.front().start < oldest_bucket)
                account.buckets.pop_front();
        }
        ++it;
    }
}

model::AccountingReport GpuAccountant::report(std::optional<model::TimePoint> since) const {
    std::lock_guard lock(mutex_);
    model::AccountingReport out;
    out.started = started_;
    out.now = previous_time_ ? std::max(*previous_time_, started_) : started_;
    out.sequence = sequence_;
    std::optional<std::int64_t> first_bucket;
    out.since = started_;
    if (since) {
        model::TimePoint start = std::clamp(*since, started_, out.now);
        start = std::max(start, out.now - options_.retention);
        first_bucket = bucket_of(start);
        // Rounded down to its bucket, but never before the start: the bucket holding the start holds only
        // what was counted since.
        out.since = std::max(started_, model::TimePoint(std::chrono::seconds(*first_bucket)));
    }
    for (const auto& [id, container] : containers_) {
        model::ContainerAccount account;
        account.id = id;
        account.short_id = container.short_id;
        account.name = container.name;
        account.owner = container.owner.empty() ? (container.name.empty() ? container.short_id : container.name)
                                                : container.owner;
        account.removed = container.removed_at.has_value();
        account.removed_at = container.removed_at;
        for (const auto& [gpu, totals] : container.gpus) {
            model::GpuAccount row;
            row.gpu_index = gpu.first;
            row.gpu_instance_id = gpu.second;
            row.uuid = totals.uuid;
            row.since_start = totals.total;
            if (!first_bucket) {
                row.window = totals.total;
            } else {
                for (const auto& bucket : totals.buckets)
                    if (bucket.start >= *first_bucket) row.window += bucket.seconds;
            }
            account.gpus.push_back(std::move(row));
        }
        out.containers.push_back(std::move(account));
    }
    return out;
}

}  // namespace cmon::sampling
