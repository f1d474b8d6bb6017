// PrometheusClient: the only translation unit of sources/prometheus that includes Beast/Asio (slow to
// compile; keep it small and stable). Same transport approach as DockerClient: one io_context and one
// connection per request, run to completion on the calling thread, one deadline for the whole exchange.
#include "sources/prometheus/prometheus_client.hpp"

#include <cctype>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include "sources/prometheus/beast_includes.hpp"
#include "util/error.hpp"

namespace cmon::sources {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

using Parser = http::response_parser<http::string_body>;

std::string read_secret(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw util::Error(std::string("prometheus: cannot read the ") + what + " file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
    return value;
}

std::unique_ptr<ssl::context> make_tls_context(const PrometheusAuth& auth) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (!auth.ca_file.empty()) {
        ctx->load_verify_file(auth.ca_file, ec);
        if (ec) throw util::Error("prometheus: cannot load CA file " + auth.ca_file + ": " + ec.message());
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec) throw util::Error("prometheus: cannot load the system's CA certificates: " + ec.message());
    }
    if (!auth.cert_file.empty()) {
        ctx->use_certificate_chain_file(auth.cert_file, ec);
        if (!ec) ctx->use_private_key_file(auth.key_file, ssl::context::pem, ec);
        if (ec) throw util::Error("prometheus: cannot load client certificate " + auth.cert_file + ": " + ec.message());
    }
    return ctx;
}

std::string describe(const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
    if (ec == beast::error::timeout) return "no answer within " + std::to_string(timeout.count()) + " ms";
    if (ec == http::error::body_limit) return "answer too large";
    std::string text = ec.message();
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

std::string number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f", value);
    return buffer;
}

}  // namespace

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

struct PrometheusClient::Impl {
    const PrometheusEndpoint& endpoint;
    const PrometheusAuth& auth;
    const PrometheusClientOptions& options;
    std::unique_ptr<ssl::context> tls_context;

    http::request<http::empty_body> make_request(const std::string& target) const {
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, endpoint.host + ":" + endpoint.port);
        req.set(http::field::user_agent, "container-monitor");
        req.set(http::field::accept, "application/json");
        if (!auth.bearer_token_file.empty()) {
            req.set(http::field::authorization, "Bearer " + read_secret(auth.bearer_token_file, "bearer token"));
        } else if (!auth.user.empty() || !endpoint.user.empty()) {
            const std::string user = auth.user.empty() ? endpoint.user : auth.user;
            const std::string password =
                auth.password_file.empty() ? endpoint.password : read_secret(auth.password_file, "password");
            req.set(http::field::authorization, basic_authorization(user, password));
        }
        req.keep_alive(false);
        return req;
    }

    template <class Stream>
    asio::awaitable<void> exchange(Stream& stream, const http::request<http::empty_body>& req, Parser& parser) {
        co_await http::async_write(stream, req, asio::use_awaitable);
        beast::flat_buffer buffer;
        buffer.reserve(64 * 1024);
        co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
        // Beast 1.74 skips the body limit for a Content-Length body read eagerly (stack-notes): check it here.
        if (parser.content_length() && *parser.content_length() > options.body_limit) {
            throw boost::system::system_error(http::error::body_limit);
        }
        co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    }

    asio::awaitable<void> run_plain(asio::io_context& ioc, http::request<http::empty_body> req, Parser& parser) {
        asio::ip::tcp::resolver resolver(ioc);
        beast::tcp_stream stream(ioc);
        stream.expires_after(options.timeout);
        auto endpoints = co_await resolver.async_resolve(endpoint.host, endpoint.port, asio::use_awaitable);
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        co_await exchange(stream, req, parser);
        boost::system::error_code ignored;  // closing a finished connection: nothing to report
        stream.socket().shutdown(asio::socket_base::shutdown_both, ignored);
    }

    asio::awaitable<void> run_tls(asio::io_context& ioc, http::request<http::empty_body> req, Parser& parser) {
        asio::ip::tcp::resolver resolver(ioc);
        beast::ssl_stream<beast::tcp_stream> stream(ioc, *tls_context);
        if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
            throw boost::system::system_error(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        }
        if (auth.insecure_skip_verify) {
            stream.set_verify_mode(ssl::verify_none);
        } else {
            stream.set_verify_mode(ssl::verify_peer);
            stream.set_verify_callback(ssl::host_name_verification(endpoint.host));
        }
        auto& lowest = beast::get_lowest_layer(stream);
        lowest.expires_after(options.timeout);
        auto endpoints = co_await resolver.async_resolve(endpoint.host, endpoint.port, asio::use_awaitable);
        co_await lowest.async_connect(endpoints, asio::use_awaitable);
        co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
        co_await exchange(stream, req, parser);
        lowest.close();  // we have the whole body: no close_notify round trip
    }

    // One GET; the status and body, or util::Error naming the path and the endpoint.
    std::pair<unsigned, std::string> perform(const std::string& target, std::string_view path) {
        std::string where = " (" + endpoint.display + ")";
        auto req = make_request(target);
        asio::io_context ioc;
        Parser parser;
        parser.body_limit(options.body_limit);
        std::exception_ptr failure;
        auto done = [&failure](std::exception_ptr e) { failure = e; };
        if (endpoint.tls) {
            asio::co_spawn(ioc, run_tls(ioc, std::move(req), parser), done);
        } else {
            asio::co_spawn(ioc, run_plain(ioc, std::move(req), parser), done);
        }
        ioc.run();
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const boost::system::system_error& e) {
                throw util::Error("prometheus: GET " + std::string(path) + ": " + describe(e.code(), options.timeout) +
                                  where);
            }
        }
        auto response = parser.release();
        return {response.result_int(), std::move(response.body())};
    }
};

PrometheusClient::PrometheusClient(PrometheusEndpoint endpoint, PrometheusAuth auth, PrometheusClientOptions options)
    : endpoint_(std::move(endpoint)),
      auth_(std::move(auth)),
      options_(options),
      impl_(std::make_unique<Impl>(Impl{endpoint_, auth_, options_, nullptr})) {
    if (endpoint_.tls) impl_->tls_context = make_tls_context(auth_);
    // Fail at start, not at the first refresh, when a credentials file is unreadable.
    if (!auth_.bearer_token_file.empty()) read_secret(auth_.bearer_token_file, "bearer token");
    if (!auth_.password_file.empty()) read_secret(auth_.password_file, "password");
}

PrometheusClient::~PrometheusClient() = default;

PromResponse PrometheusClient::get(std::string_view path, const std::string& query_string) {
    const std::string target = endpoint_.path_prefix + std::string(path) + "?" + query_string;
    auto [status, body] = impl_->perform(target, path);
    PromResponse response = parse_prometheus_response(body);
    if (!response.success && response.error_type == "bad_response" && (status < 200 || status >= 300)) {
        // Not Prometheus' error envelope (a proxy's 502 page, a 401 from an auth front): say the status.
        response.error_type = "http";
        response.error = "HTTP " + std::to_string(status) + " from " + endpoint_.display;
    }
    return response;
}

PromResponse PrometheusClient::query(std::string_view promql, std::optional<double> at_unix) {
    std::string params = "query=" + url_encode(promql);
    if (at_unix) params += "&time=" + number(*at_unix);
    params += "&timeout=" + std::to_string(options_.timeout.count()) + "ms";
    return get("/api/v1/query", params);
}

PromResponse PrometheusClient::query_range(std::string_view promql, double start_unix, double end_unix,
                                           double step_seconds) {
    std::string params = "query=" + url_encode(promql) + "&start=" + number(start_unix) + "&end=" + number(end_unix) +
                         "&step=" + number(step_seconds) + "&timeout=" + std::to_string(options_.timeout.count()) + "ms";
    return get("/api/v1/query_range", params);
}

PromResponse PrometheusClient::series(const std::vector<std::string>& matchers, double start_unix, double end_unix) {
    std::string params;
    for (const auto& matcher : matchers) params += "match%5B%5D=" + url_encode(matcher) + "&";
    params += "start=" + number(start_unix) + "&end=" + number(end_unix);
    return get("/api/v1/series", params);
}

}  // namespace cmon::sources
