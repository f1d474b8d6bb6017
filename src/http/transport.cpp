// Transport (plain or TLS stream) and the TLS server context.
#include "http/transport.hpp"

#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>

#include "util/error.hpp"

namespace cmon::http {
namespace {

using boost::system::error_code;

// A missing or unreadable file gets a plain sentence instead of an OpenSSL reason code.
void require_readable(const std::string& flag, const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw util::Error(flag + " " + path + ": no such file");
    std::ifstream probe(path);
    if (!probe) throw util::Error(flag + " " + path + ": cannot read the file (permissions?)");
}

}  // namespace

std::unique_ptr<ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file) {
    require_readable("--tls-cert", cert_file);
    require_readable("--tls-key", key_file);
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        throw util::Error("TLS: cannot require TLS 1.2 or newer");
    }
    context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                         ssl::context::single_dh_use);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    error_code ec;
    context->use_certificate_chain_file(cert_file, ec);
    if (ec) throw util::Error("--tls-cert " + cert_file + ": not a PEM certificate (" + ec.message() + ")");
    context->use_private_key_file(key_file, ssl::context::pem, ec);
    // OpenSSL already compares the key with the certificate here ("key values mismatch").
    if ((ec && ec.message().find("mismatch") != std::string::npos) || (!ec && SSL_CTX_check_private_key(native) != 1)) {
        throw util::Error("--tls-key " + key_file + ": the key does not match the certificate in --tls-cert " +
                          cert_file);
    }
    if (ec) {
        throw util::Error("--tls-key " + key_file + ": not an unencrypted PEM private key (" + ec.message() + ")");
    }
    return context;
}

Transport::Transport(tcp::socket socket, ssl::context* tls, DeadlineListener* deadlines) : deadlines_(deadlines) {
    if (tls != nullptr) {
        tls_.emplace(std::move(socket), *tls);
    } else {
        plain_.emplace(std::move(socket));
    }
}

asio::awaitable<bool> Transport::handshake(std::chrono::steady_clock::duration timeout) {
    if (!tls_) co_return true;
    error_code ec;
    expires_after(timeout);
    co_await tls_->async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

asio::awaitable<void> Transport::close_notify(std::chrono::steady_clock::duration timeout) {
    if (!tls_) co_return;
    error_code ec;
    expires_after(timeout);
    // Completes when the peer answers with its close_notify or closes; errors only mean it did not.
    co_await tls_->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace cmon::http
