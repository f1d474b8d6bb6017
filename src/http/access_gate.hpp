// AccessGate: access control at the session. Fast decisions on the I/O thread; password verification
// (bcrypt takes milliseconds) on one worker thread so other connections keep being served meanwhile.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <memory>

#include "http/authenticator.hpp"
#include "http/beast_includes.hpp"

namespace cmon::http {

class AccessGate {
public:
    // Password checks waiting for or on the worker; more are refused at once (`busy`), so a flood of
    // made-up Basic credentials costs a bounded queue and real users get a quick 503, not a long wait.
    static constexpr std::size_t kMaxPending = 32;

    explicit AccessGate(std::shared_ptr<const Authenticator> authenticator, std::size_t max_pending = kMaxPending);
    ~AccessGate();
    AccessGate(const AccessGate&) = delete;
    AccessGate& operator=(const AccessGate&) = delete;

    asio::awaitable<AuthDecision> check(AuthRequest request);
    // The answer to a request `check` did not allow: the authenticator's 401, or 503 when busy.
    Response refusal(const AuthRequest& request, const AuthDecision& decision) const;
    const Authenticator& authenticator() const { return *authenticator_; }

private:
    std::shared_ptr<const Authenticator> authenticator_;
    const std::size_t max_pending_;
    std::size_t pending_ = 0;  // on the I/O thread only (check() resumes there)
    asio::thread_pool worker_{1};
};

}  // namespace cmon::http
