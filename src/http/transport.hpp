// Transport: the byte stream under one Session, plain TCP or TLS (Beast ssl_stream over OpenSSL),
// chosen per server at run time. It is a Beast AsyncReadStream/AsyncWriteStream itself, so the session's
// HTTP reads and writes are written once for both; the socket is the TCP layer's, timeouts a deadline (below).
// Also: the TLS server context (TLS 1.2 or newer).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include "http/beast_includes.hpp"

namespace cmon::http {

namespace ssl = boost::asio::ssl;

// A server context with the PEM certificate chain and private key; TLS 1.2 and 1.3 only. Throws
// util::Error with one line ("--tls-key /x.pem: ...") when a file is missing, unreadable or the two
// do not match.
std::unique_ptr<ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file);

// Told of every deadline a Transport sets (the server's sweep, which wakes at the earliest one), and of
// every one it drops before it passed (a request answered, a stream between frames, a closed connection),
// so that the sweep need not wake for a deadline nobody holds any more.
class DeadlineListener {
public:
    virtual void deadline_set(std::chrono::steady_clock::time_point deadline) = 0;
    virtual void deadline_dropped(std::chrono::steady_clock::time_point deadline) = 0;

protected:
    ~DeadlineListener() = default;
};

class Transport {
public:
    using executor_type = tcp::socket::executor_type;
    using Clock = std::chrono::steady_clock;

    // `tls` null: plain TCP. Otherwise the context must outlive the transport; so must `deadlines`
    // (may be null: nobody enforces the deadlines then).
    Transport(tcp::socket socket, ssl::context* tls, DeadlineListener* deadlines = nullptr);
    ~Transport() { expires_never(); }
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    executor_type get_executor() { return socket().get_executor(); }
    tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
    bool secure() const { return tls_.has_value(); }

    // Timeouts are a deadline, not a timer armed per read and write: the server's sweep closes the
    // socket once the deadline passed (pending I/O then fails). Setting one is a clock read and a
    // comparison in the listener, which re-arms its one timer only for a deadline earlier than any it
    // already waits for.
    void expires_after(Clock::duration timeout) {
        const Clock::time_point old = deadline_;
        deadline_ = Clock::now() + timeout;
        if (deadlines_ == nullptr) return;
        deadlines_->deadline_set(deadline_);
        if (old != Clock::time_point::max()) deadlines_->deadline_dropped(old);
    }
    void expires_never() {
        const Clock::time_point old = std::exchange(deadline_, Clock::time_point::max());
        if (deadlines_ != nullptr && old != Clock::time_point::max()) deadlines_->deadline_dropped(old);
    }
    bool expired(Clock::time_point now) const { return now >= deadline_; }
    Clock::time_point deadline() const { return deadline_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token)
        -> decltype(std::declval<tcp::socket&>().async_read_some(buffers, std::forward<Token>(token))) {
        if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
        return plain_->async_read_some(buffers, std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token)
        -> decltype(std::declval<tcp::socket&>().async_write_some(buffers, std::forward<Token>(token))) {
        if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
        return plain_->async_write_some(buffers, std::forward<Token>(token));
    }

    // TLS: the server handshake within `timeout`; false when it failed (the caller drops the
    // connection). Plain: true at once.
    asio::awaitable<bool> handshake(std::chrono::steady_clock::duration timeout);
    // TLS: sends close_notify and waits up to `timeout` for the peer's. Plain: nothing.
    asio::awaitable<void> close_notify(std::chrono::steady_clock::duration timeout);

private:
    std::optional<tcp::socket> plain_;
    std::optional<beast::ssl_stream<tcp::socket>> tls_;
    DeadlineListener* deadlines_;
    Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace cmon::http
