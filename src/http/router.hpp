// Router: one HTTP request value -> one response value. No sockets, no Asio/Beast: the session does the
// wire work, so every route, status code and header here is testable with plain values.
// Snapshot bodies come from a BodyCache, so each snapshot is serialized once per format and every client
// gets the same bytes (responses carry a shared pointer to them, not a copy).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporters/api_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "http/body_cache.hpp"
#include "http/static_assets.hpp"
#include "sampling/gpu_accountant.hpp"
#include "sampling/metric_history.hpp"
#include "sampling/snapshot_provider.hpp"
#include "util/clock.hpp"
#include "util/defaults.hpp"

namespace cmon::http {

// A request as the session parsed it: the target is already split and its path decoded (the session
// decides access on that same path), so routing never decodes anything itself.
struct Request {
    std::string method;           // as sent, e.g. "GET"; HEAD is answered like GET (the session sends no body)
    std::string path;             // decoded, e.g. "/query"
    std::string query;            // the raw query string after '?', without it; empty when absent
    std::string accept_encoding;  // the Accept-Encoding header, empty when absent
    std::string if_none_match;    // the If-None-Match header, empty when absent
    // false only for a caller that access control let in without credentials (/healthz): answers
    // leave out details then.
    bool authenticated = true;
};

// Whether answering `request` counts as someone looking, so collection must run (and, after a pause,
// the answer waits for a fresh snapshot): a GET of the page, /query, /api/v1/* or /metrics. A health
// probe (/healthz), a HEAD request and the page's static files answer from what is there.
bool wakes_collection(const Request& request);

struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
    // Extra header fields (besides Content-Type and Content-Length, which the session writes).
    std::vector<std::pair<std::string, std::string>> headers;
    // When set, the bytes to send instead of `body`: shared with the snapshot cache, or static asset
    // data; `owner` keeps them alive (null for static data). Read the bytes with payload().
    std::optional<std::string_view> shared_body;
    std::shared_ptr<const void> owner;
    // GET /api/v1/events: the session sends this status and these headers, then streams events;
    // with ?delta=1, deltas after the first snapshot (Router::latest_event).
    bool event_stream = false;
    bool event_deltas = false;

    // The value of the first header named `name` (ASCII case-insensitive), empty when absent.
    std::string header(std::string_view name) const;
    std::string_view payload() const { return shared_body ? *shared_body : std::string_view(body); }
};

// {"error": message} as application/json, not cached; `message` is a fixed text (not escaped).
Response error_response(int status, std::string_view message);

struct RouterOptions {
    RouterOptions() = default;
    // Just the title (the rest default), without -Wmissing-field-initializers noise.
    explicit RouterOptions(std::string page_title) : title(std::move(page_title)) {}

    std::string title{defaults::kTitle};  // shown on the page; "title" in /api/v1/snapshot
    std::string version;                      // cmon_build_info{version} in /metrics
    std::string hostname_label;               // dcgm-exporter's Hostname label; empty: the snapshot's
    AssetLookup assets;                       // the dashboard (embedded_assets()); null: no page, 404
    const util::Clock* clock = nullptr;       // the age in /healthz; null: the real clock
    // Another pipeline served by the same server (`container-monitor fleet`): asked before the routes
    // above with the decoded path and the raw query string; nullopt falls through to them.
    std::function<std::optional<Response>(const Request&, std::string_view path, std::string_view query)>
        extra_routes;
    std::string index_path = "/";  // the asset that answers "/" (the fleet serves "/fleet.html")
};

// One server-sent event for the newest snapshot, "id: <sequence>\nevent: snapshot\ndata: <json>\n\n" (or
// "event: delta" with the delta from the sequence before), as the pieces the session sends in one
// gathered write: `head`, `data`, `tail`. `data` is the very buffer that /api/v1/snapshot serves (the
// JSON is one line), not a copy of it. Should the JSON ever hold a line break, `head` is the whole frame
// (its own "data:" lines) and `data` is null.
struct EventFrame {
    std::uint64_t sequence = 0;
    std::shared_ptr<const std::string> head;  // null before the first snapshot
    std::shared_ptr<const std::string> data;
    std::string_view tail;

    bool empty() const { return head == nullptr; }
    std::size_t size() const { return empty() ? 0 : head->size() + (data ? data->size() : 0) + tail.size(); }
    std::string text() const;  // the frame's bytes in one string (tests)
};

class Router {
public:
    // Bodies above this size are gzip-compressed for clients that accept it.
    static constexpr std::size_t kGzipThreshold = 1024;

    // `history` may be null: /api/v1/history then answers 404; so may `accounting` (/api/v1/accounting
    // answers 404 and /metrics has no GPU-seconds counters).
    Router(RouterOptions options, sampling::SnapshotProvider& provider,
           const sampling::MetricHistory* history = nullptr, const sampling::GpuAccountant* accounting = nullptr);

    // Never throws for a bad request: those become 4xx responses.
    Response operator()(const Request& request) const;

    // The SSE frame of the provider's newest snapshot, built once per snapshot and shared by all streams.
    // `delta_from`: the sequence this stream sent last, for a stream that takes deltas: when the newest
    // snapshot follows it directly, the frame is the delta from it (far smaller: only the containers
    // that changed), else the whole snapshot.
    EventFrame latest_event(std::optional<std::uint64_t> delta_from = std::nullopt) const;
    // Bodies serialized so far (cache misses), to prove sharing in tests.
    std::uint64_t serializations() const { return cache_.builds(); }

private:
    Response route_get(const Request& request) const;
    Response query(const Request& request) const;
    Response health(const Request& request) const;
    Response api_snapshot(const Request& request) const;
    Response api_history(const Request& request) const;
    Response metrics(const Request& request) const;
    Response api_accounting(std::string_view query_string) const;
    Response asset(const Request& request, const StaticAsset& asset, bool page) const;
    std::shared_ptr<const CachedBody> api_body(const model::Snapshot& snapshot) const;

    RouterOptions options_;
    sampling::SnapshotProvider& provider_;
    const sampling::MetricHistory* history_;
    const sampling::GpuAccountant* accounting_;
    // Only the newest snapshot's bodies are asked for: keep those of the previous one too (a request
    // that read `latest` just before a publish), drop older ones.
    mutable BodyCache cache_{16, 1};
    mutable exporters::ApiSnapshotWriter api_writer_;  // keeps container texts from one snapshot to the next
    // The delta the writer made with the newest "api" body, kept with that body's sequence (null: none,
    // the write before was not of the sequence just before, or it would not fit one SSE data line).
    mutable std::mutex delta_mutex_;
    mutable std::uint64_t delta_sequence_ = 0;
    mutable std::shared_ptr<const std::string> delta_;
    mutable exporters::QueryWriter query_writer_;
};

}  // namespace cmon::http
