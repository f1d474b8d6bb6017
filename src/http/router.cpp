// Router: maps (method, target) to a response value. Pure apart from reading the provider's latest
// snapshot and the history ring; no sockets and no Asio/Beast here (keeps this translation unit light
// and testable).
#include "http/router.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "exporters/accounting_exporter.hpp"
#include "exporters/api_exporter.hpp"
#include "exporters/health_exporter.hpp"
#include "exporters/prometheus_exporter.hpp"
#include "exporters/query_exporter.hpp"
#include "exporters/sse_exporter.hpp"
#include "http/request_parsing.hpp"

namespace cmon::http {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kEventStream = "text/event-stream";
// uPlot sets inline styles; everything else comes from this origin.
constexpr std::string_view kDashboardPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";

Response json_response(int status, std::string body) {
    Response response;
    response.status = status;
    response.content_type = std::string(kJson);
    response.body = std::move(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

std::string etag_of(std::uint64_t sequence, std::string_view format) {
    return "\"s" + std::to_string(sequence) + "-" + std::string(format) + "\"";
}

struct Cacheable {
    std::string_view content_type;
    std::string_view cache_control;
    std::string etag;  // of the identity encoding; empty: no validator
};

// A response that shares the cached bytes: gzip when the client accepts it and it is worth it, 304 when
// the client already has this snapshot in this format.
Response cached_response(const Request& request, const CachedBody& body, const Cacheable& how) {
    Response response;
    response.content_type = std::string(how.content_type);
    response.headers.emplace_back("Cache-Control", std::string(how.cache_control));
    response.headers.emplace_back("Vary", "Accept-Encoding");
    const bool gzip = body.plain()->size() > Router::kGzipThreshold && accepts_gzip(request.accept_encoding);
    if (!how.etag.empty()) {
        // The gzip variant has its own tag (a different byte sequence); either one proves the client has
        // this snapshot.
        const std::string gzip_etag = how.etag.substr(0, how.etag.size() - 1) + "-gz\"";
        response.headers.emplace_back("ETag", gzip ? gzip_etag : how.etag);
        if (!request.if_none_match.empty() &&
            (etag_matches(request.if_none_match, how.etag) || etag_matches(request.if_none_match, gzip_etag))) {
            response.status = 304;
            return response;
        }
    }
    std::shared_ptr<const std::string> bytes = gzip ? body.gzip() : body.plain();
    if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
    response.shared_body = std::string_view(*bytes);
    response.owner = std::move(bytes);
    return response;
}

}  // namespace

Response error_response(int status, std::string_view message) {
    return json_response(status, "{\"error\":\"" + std::string(message) + "\"}");
}

std::string Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return {};
}

Router::Router(RouterOptions options, sampling::SnapshotProvider& provider, const sampling::MetricHistory* history,
               const sampling::GpuAccountant* accounting)
    : options_(std::move(options)), provider_(provider), history_(history), accounting_(accounting) {}

bool wakes_collection(const Request& request) {
    if (request.method != "GET") return false;
    const std::string_view path = request.path;
    return path == "/" || path == "/query" || path == "/metrics" || path.starts_with("/api/v1/");
}

Response Router::operator()(const Request& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        Response response = error_response(405, "method not allowed");
        response.headers.emplace_back("Allow", "GET, HEAD");
        return response;
    }
    return route_get(request);
}

Response Router::route_get(const Request& request) const {
    const std::string_view path = request.path;
    if (options_.extra_routes) {
        if (auto response = options_.extra_routes(request, path, request.query)) return std::move(*response);
    }
    if (path == "/api/v1/snapshot") return api_snapshot(request);
    if (path == "/api/v1/history") return api_history(request);
    if (path == "/api/v1/accounting") return api_accounting(request.query);
    if (path == "/api/v1/events") {
        Response response;
        response.content_type = std::string(kEventStream);
        response.headers.emplace_back("Cache-Control", "no-store");
        response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: pass events on at once
        response.event_stream = true;
        if (const auto delta = query_parameter(request.query, "delta")) {
            if (*delta != "0" && *delta != "1") return error_response(400, "delta must be 0 or 1");
            response.event_deltas = *delta == "1";
        }
        return response;
    }
    if (path == "/metrics") return metrics(request);
    if (path == "/query") return query(request);
    if (path == "/healthz") return health(request);
    if (options_.assets) {
        if (const auto found = options_.assets(path == "/" ? std::string_view(options_.index_path) : path)) {
            return asset(request, *found, path == "/");
        }
    }
    return error_response(404, "not found");
}

std::shared_ptr<const CachedBody> Router::api_body(const model::Snapshot& snapshot) const {
    // The title goes in: the page shows it, and this is the one place it is configured.
    return cache_.get(snapshot.sequence, "api", [&] {
        exporters::ApiSnapshotWriter::Document written = api_writer_.write_with_delta(snapshot, &options_.title);
        std::lock_guard lock(delta_mutex_);
        delta_sequence_ = snapshot.sequence;
        // Checked here, once: a stream sends the delta as one "data:" line (JsonWriter never breaks one).
        delta_ = written.delta && exporters::is_one_sse_data_line(*written.delta)
                     ? std::make_shared<const std::string>(std::move(*written.delta))
                     : nullptr;
        return std::move(written.full);
    });
}

Response Router::api_snapshot(const Request& request) const {
    const model::SnapshotPtr latest = provider_.latest();
    if (!latest) return error_response(503, "no data collected yet");
    // no-cache (not no-store): a browser may keep it and revalidate with If-None-Match.
    return cached_response(request, *api_body(*latest), {kJson, "no-cache", etag_of(latest->sequence, "api")});
}

Response Router::api_history(const Request& request) const {
    if (history_ == nullptr) return error_response(404, "not found");
    const std::chrono::seconds window = history_->window();
    std::chrono::seconds seconds = window;
    if (const auto text = query_parameter(request.query, "seconds")) {
        const auto parsed = parse_seconds(*text);
        if (!parsed) return error_response(400, "seconds must be a non-negative whole number");
        seconds = std::min(std::chrono::seconds(*parsed), window);
    }
    std::chrono::seconds step(0);
    if (const auto text = query_parameter(request.query, "step")) {
        const auto parsed = parse_seconds(*text);
        if (!parsed) return error_response(400, "step must be a non-negative whole number of seconds");
        step = std::chrono::seconds(std::min<long long>(*parsed, 86400));
    }
    // Keyed by the newest sample: the history only changes when one is added.
    const std::uint64_t sequence = history_->newest_sequence();
    const auto body = cache_.get(
        sequence, "history-" + std::to_string(seconds.count()) + "-" + std::to_string(step.count()), [&] {
            return exporters::to_api_history_json(
                history_->query(seconds, std::chrono::duration_cast<std::chrono::milliseconds>(step)));
        });
    return cached_response(request, *body, {kJson, "no-store", {}});
}

Response Router::metrics(const Request& request) const {
    const model::SnapshotPtr latest = provider_.latest();
    if (!latest) return error_response(503, "no data collected yet");
    exporters::PrometheusOptions options;
    options.version = options_.version;
    options.hostname_label = options_.hostname_label;
    options.paused = provider_.paused();
    std::optional<model::AccountingReport> report;
    if (accounting_) report = accounting_->report();
    options.accounting = report ? &*report : nullptr;
    // cmon_collection_paused is part of the text, so the paused flag is part of the key; so is the
    // snapshot the counters were folded up to (the accountant hears of a publish just after it).
    std::string key = options.paused ? "metrics-paused" : "metrics";
    if (report) key += "-a" + std::to_string(report->sequence);
    const auto body =
        cache_.get(latest->sequence, key, [&] { return exporters::to_prometheus(*latest, options); });
    return cached_response(request, *body, {exporters::kPrometheusContentType, "no-store", {}});
}

// ?since=<unix seconds> (a decimal number); without it the window is since the monitor started.
Response Router::api_accounting(std::string_view query_string) const {
    if (accounting_ == nullptr) return error_response(404, "not found");
    std::optional<model::TimePoint> since;
    if (const auto text = query_parameter(query_string, "since")) {
        double seconds = 0;
        const char* begin = text->data();
        const char* end = begin + text->size();
        const auto [stop, error] = std::from_chars(begin, end, seconds, std::chars_format::fixed);
        if (text->empty() || error != std::errc() || stop != end || !std::isfinite(seconds) || seconds < 0 ||
            seconds > 1e11)
            return error_response(400, "since must be a time in unix seconds, e.g. since=1765000000");
        since = model::TimePoint(std::chrono::duration_cast<model::TimePoint::duration>(
            std::chrono::duration<double>(seconds)));
    }
    return json_response(200, exporters::to_api_accounting_json(accounting_->report(since)));
}

Response Router::query(const Request& request) const {
    const model::SnapshotPtr latest = provider_.latest();
    if (!latest) return error_response(503, "no data collected yet");
    const auto body = cache_.get(latest->sequence, "query", [&] { return query_writer_.write(*latest); });
    return cached_response(request, *body, {kJson, "no-store", etag_of(latest->sequence, "query")});
}

Response Router::health(const Request& request) const {
    // Answers from what is there: a probe is not a viewer (wakes_collection), so nothing waits here.
    const model::SnapshotPtr latest = provider_.latest();
    exporters::HealthView view;
    view.paused = provider_.paused();
    view.sources = request.authenticated;
    if (latest) {
        static const util::RealClock kRealClock;
        const util::Clock& clock = options_.clock != nullptr ? *options_.clock : kRealClock;
        view.age = clock.steady_now() - latest->monotonic;
    }
    const bool ok = exporters::healthy(latest.get());
    return json_response(ok ? 200 : 503, exporters::to_health_json(latest.get(), view));
}

Response Router::asset(const Request& request, const StaticAsset& asset, bool page) const {
    Response response;
    response.content_type = std::string(asset.content_type);
    // Hashed names never change; the page itself must be revalidated so a new build is picked up.
    response.headers.emplace_back("Cache-Control",
                                  asset.immutable && !page ? "public, max-age=31536000, immutable" : "no-cache");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Content-Security-Policy", std::string(kDashboardPolicy));
    const bool gzip = !asset.gzip_data.empty();
    if (gzip) response.headers.emplace_back("Vary", "Accept-Encoding");
    if (gzip && accepts_gzip(request.accept_encoding)) {
        response.headers.emplace_back("Content-Encoding", "gzip");
        response.shared_body = asset.gzip_data;
    } else {
        response.shared_body = asset.data;
    }
    return response;
}

std::string EventFrame::text() const {
    std::string text;
    if (empty()) return text;
    text.append(*head);
    if (data) text.append(*data);
    text.append(tail);
    return text;
}

EventFrame Router::latest_event(std::optional<std::uint64_t> delta_from) const {
    const model::SnapshotPtr latest = provider_.latest();
    if (!latest) return {};
    // Outside the "sse" build: the cache is not reentrant.
    const std::shared_ptr<const CachedBody> api = api_body(*latest);
    if (delta_from && *delta_from + 1 == latest->sequence) {
        std::shared_ptr<const std::string> delta;
        {
            std::lock_guard lock(delta_mutex_);
            if (delta_sequence_ == latest->sequence) delta = delta_;
        }
        if (delta) {
            const auto head = cache_.get(latest->sequence, "sse-delta",
                                         [&] { return exporters::sse_delta_head(latest->sequence); });
            return EventFrame{latest->sequence, head->plain(), std::move(delta), exporters::kSseFrameEnd};
        }
    }
    const std::shared_ptr<const std::string>& json = api->plain();
    // Cached per snapshot: the head, or (JSON with a line break, which JsonWriter never writes) the whole
    // frame. A head ends with "data: ", a whole frame with the blank line.
    const auto head = cache_.get(latest->sequence, "sse", [&] {
        return exporters::is_one_sse_data_line(*json) ? exporters::sse_snapshot_head(latest->sequence)
                                                      : exporters::to_sse_snapshot_frame(latest->sequence, *json);
    });
    EventFrame frame{latest->sequence, head->plain(), nullptr, {}};
    if (!frame.head->ends_with(exporters::kSseFrameEnd)) {
        frame.data = json;
        frame.tail = exporters::kSseFrameEnd;
    }
    return frame;
}

}  // namespace cmon::http
