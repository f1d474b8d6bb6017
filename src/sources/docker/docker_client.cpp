// DockerClient: the only translation unit of sources/docker that includes Beast/Asio (slow to compile;
// keep it small and stable). One io_context and one connection per request, run to completion on the
// calling thread; every phase has a deadline (basic_stream timeouts), the body has a size limit, chunked
// responses are decoded by Beast's parser.
#include "sources/docker/docker_client.hpp"

#include <cctype>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include "sources/docker/beast_includes.hpp"
#include "sources/docker/docker_json_parser.hpp"
#include "util/error.hpp"

namespace cmon::sources {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

namespace {

using UnixStream = beast::basic_stream<asio::local::stream_protocol>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Parser = http::response_parser<http::string_body>;

// Which phase failed, for the message.
enum class Phase { connect, handshake, exchange };

std::string describe(const boost::system::error_code& ec, Phase phase, const DockerClientOptions& options) {
    if (ec == beast::error::timeout) {
        auto limit = phase == Phase::exchange ? options.read_timeout : options.connect_timeout;
        return std::string(phase == Phase::exchange ? "no response" : "connect timed out") + " after " +
               std::to_string(limit.count()) + " ms";
    }
    std::string text = ec.message();
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    if (phase == Phase::handshake) {
        return "TLS handshake failed: " + text;
    }
    return text;
}

std::unique_ptr<ssl::context> make_tls_context(const DockerTlsSettings& tls) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    auto file = [&](const char* name) { return (tls.cert_dir / name).string(); };
    boost::system::error_code ec;
    if (tls.verify) {
        ctx->load_verify_file(file("ca.pem"), ec);
        if (ec) {
            throw util::Error("docker: cannot load " + file("ca.pem") + ": " + ec.message());
        }
    }
    // The CLI sends a client certificate when cert.pem and key.pem exist (docker/go-connections tlsconfig).
    std::error_code fs_ec;
    if (std::filesystem::exists(file("cert.pem"), fs_ec) && std::filesystem::exists(file("key.pem"), fs_ec)) {
        ctx->use_certificate_chain_file(file("cert.pem"), ec);
        if (!ec) {
            ctx->use_private_key_file(file("key.pem"), ssl::context::pem, ec);
        }
        if (ec) {
            throw util::Error("docker: cannot load client certificate from " + tls.cert_dir.string() + ": " +
                              ec.message());
        }
    }
    return ctx;
}

}  // namespace

struct DockerClient::Impl {
    const DockerHost& host;
    const DockerClientOptions& options;
    std::mutex mutex;
    std::optional<std::string> api_version;     // guarded by mutex
    std::unique_ptr<ssl::context> tls_context;  // guarded by mutex; created on first use

    ssl::context& tls() {
        std::lock_guard lock(mutex);
        if (!tls_context) {
            tls_context = make_tls_context(host.tls);
        }
        return *tls_context;
    }

    http::request<http::empty_body> make_request(const std::string& target) const {
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host,
                host.transport == DockerHost::Transport::unix_socket ? "docker" : host.host + ":" + host.port);
        req.set(http::field::user_agent, "container-monitor");
        req.set(http::field::accept, "application/json");
        req.keep_alive(false);
        return req;
    }

    template <class Stream>
    asio::awaitable<void> exchange(Stream& stream, const std::string& target, Parser& parser, Phase& phase) {
        phase = Phase::exchange;
        beast::get_lowest_layer(stream).expires_after(options.read_timeout);
        auto req = make_request(target);
        co_await http::async_write(stream, req, asio::use_awaitable);
        // Beast reads at most the buffer's free capacity (512 bytes when empty): a 76 KB container list
        // then costs ~150 reads, each with an epoll_wait and a timer re-arm. 64 KiB keeps it to a few.
        beast::flat_buffer buffer;
        buffer.reserve(64 * 1024);
        co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
        // Beast 1.74 skips the body limit for a Content-Length body parsed in eager mode (async_read is
        // eager): check the announced length here; chunked bodies are limited by the parser itself.
        if (parser.content_length() && *parser.content_length() > options.body_limit) {
            throw boost::system::system_error(http::error::body_limit);
        }
        co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    }

    asio::awaitable<void> run_unix(asio::io_context& ioc, const std::string& target, Parser& parser, Phase& phase) {
        UnixStream stream(ioc);
        phase = Phase::connect;
        stream.expires_after(options.connect_timeout);
        co_await stream.async_connect(asio::local::stream_protocol::endpoint(host.socket_path), asio::use_awaitable);
        co_await exchange(stream, target, parser, phase);
        boost::system::error_code ignored;  // closing a finished connection: nothing to report
        stream.socket().shutdown(asio::socket_base::shutdown_both, ignored);
    }

    asio::awaitable<void> run_tcp(asio::io_context& ioc, const std::string& target, Parser& parser, Phase& phase) {
        phase = Phase::connect;
        asio::ip::tcp::resolver resolver(ioc);
        auto endpoints = co_await resolver.async_resolve(host.host, host.port, asio::use_awaitable);
        beast::tcp_stream stream(ioc);
        stream.expires_after(options.connect_timeout);
        co_await stream.async_connect(endpoints, asio::use_awaitable);
        co_await exchange(stream, target, parser, phase);
        boost::system::error_code ignored;
        stream.socket().shutdown(asio::socket_base::shutdown_both, ignored);
    }

    asio::awaitable<void> run_tls(asio::io_context& ioc, ssl::context& ctx, const std::string& target, Parser& parser,
                                  Phase& phase) {
        phase = Phase::connect;
        asio::ip::tcp::resolver resolver(ioc);
        auto endpoints = co_await resolver.async_resolve(host.host, host.port, asio::use_awaitable);
        TlsStream stream(ioc, ctx);
        if (!SSL_set_tlsext_host_name(stream.native_handle(), host.host.c_str())) {
            throw boost::system::system_error(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        }
        if (host.tls.verify) {
            stream.set_verify_mode(ssl::verify_peer);
            stream.set_verify_callback(ssl::host_name_verification(host.host));
        } else {
            stream.set_verify_mode(ssl::verify_none);
        }
        auto& lowest = beast::get_lowest_layer(stream);
        lowest.expires_after(options.connect_timeout);
        co_await lowest.async_connect(endpoints, asio::use_awaitable);
        phase = Phase::handshake;
        co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
        co_await exchange(stream, target, parser, phase);
        // No TLS close_notify: dockerd often drops the connection first and we have the whole body.
        lowest.close();
    }

    // Performs one GET and returns status and body, or throws util::Error naming path and endpoint.
    DockerResponse perform(const std::string& target, const std::string& path) {
        ssl::context* ctx = host.transport == DockerHost::Transport::tls ? &tls() : nullptr;
        asio::io_context ioc;
        Parser parser;
        parser.body_limit(options.body_limit);
        Phase phase = Phase::connect;
        std::exception_ptr failure;
        auto done = [&failure](std::exception_ptr e) { failure = e; };
        switch (host.transport) {
            case DockerHost::Transport::unix_socket:
                asio::co_spawn(ioc, run_unix(ioc, target, parser, phase), done);
                break;
            case DockerHost::Transport::tcp:
                asio::co_spawn(ioc, run_tcp(ioc, target, parser, phase), done);
                break;
            case DockerHost::Transport::tls:
                asio::co_spawn(ioc, run_tls(ioc, *ctx, target, parser, phase), done);
                break;
        }
        ioc.run();
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const boost::system::system_error& e) {
                std::string why = e.code() == http::error::body_limit
                                      ? "response larger than " + std::to_string(options.body_limit) + " bytes"
                                      : describe(e.code(), phase, options);
                throw util::Error("docker: GET " + path + ": " + why + " (" + host.display + ")");
            }
        }
        auto response = parser.release();
        return DockerResponse{response.result_int(), std::move(response.body())};
    }
};

DockerClient::DockerClient(DockerHost host, DockerClientOptions options)
    : host_(std::move(host)), options_(std::move(options)), impl_(std::make_unique<Impl>(host_, options_)) {}

DockerClient::~DockerClient() = default;

std::string DockerClient::api_version() { return negotiate("/version"); }

std::string DockerClient::negotiate(const std::string& path_for_messages) {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->api_version) {
            return *impl_->api_version;
        }
    }
    // Failures name the request the caller asked for: that is what a sysadmin sees in the health line.
    auto response = impl_->perform(DockerRequest::version().target(""), path_for_messages);
    std::string where = " (" + host_.display + ")";
    if (!response.ok()) {
        throw util::Error("docker: GET /version: HTTP " + std::to_string(response.status) + where);
    }
    auto server = parse_api_version(response.body);
    if (!server) {
        throw util::Error("docker: GET /version: no ApiVersion in the response" + where);
    }
    std::string chosen =
        compare_api_versions(*server, options_.max_api_version) < 0 ? *server : options_.max_api_version;
    std::lock_guard lock(impl_->mutex);
    impl_->api_version = chosen;
    return chosen;
}

DockerResponse DockerClient::get(const DockerRequest& request) {
    try {
        std::string version = request.endpoint() == DockerEndpoint::version ? std::string() : negotiate(request.path());
        return impl_->perform(request.target(version), request.path());
    } catch (const util::Error&) {
        // The daemon may come back restarted or upgraded: negotiate again on the next request.
        std::lock_guard lock(impl_->mutex);
        impl_->api_version.reset();
        throw;
    }
}

int compare_api_versions(const std::string& a, const std::string& b) {
    auto next = [](const std::string& s, std::size_t& pos) {
        unsigned long value = 0;
        while (pos < s.size() && s[pos] != '.') {
            char c = s[pos++];
            value = (c >= '0' && c <= '9') ? value * 10 + static_cast<unsigned long>(c - '0') : value;
        }
        ++pos;
        return value;
    };
    std::size_t pa = 0;
    std::size_t pb = 0;
    while (pa < a.size() || pb < b.size()) {
        auto va = next(a, pa);
        auto vb = next(b, pb);
        if (va != vb) {
            return va < vb ? -1 : 1;
        }
    }
    return 0;
}

}  // namespace cmon::sources
