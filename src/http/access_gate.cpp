// AccessGate: the fast path inline, Basic password checks on the worker thread (bounded).
#include "http/access_gate.hpp"

namespace cmon::http {
namespace {

// The asio::awaitable result of co_spawn on the worker: a coroutine with its arguments copied in.
asio::awaitable<AuthDecision> verify(std::shared_ptr<const Authenticator> authenticator, AuthRequest request) {
    co_return authenticator->verify_basic(request);  // check_fast() already said it cannot decide
}

}  // namespace

AccessGate::AccessGate(std::shared_ptr<const Authenticator> authenticator, std::size_t max_pending)
    : authenticator_(std::move(authenticator)), max_pending_(max_pending) {}

AccessGate::~AccessGate() {
    worker_.stop();
    worker_.join();
}

asio::awaitable<AuthDecision> AccessGate::check(AuthRequest request) {
    if (auto decision = authenticator_->check_fast(request)) co_return *decision;
    if (pending_ >= max_pending_) {
        AuthDecision busy;
        busy.busy = true;
        co_return busy;
    }
    struct Pending {
        std::size_t& count;
        explicit Pending(std::size_t& c) : count(++c) {}
        ~Pending() { --count; }
        Pending(const Pending&) = delete;
        Pending& operator=(const Pending&) = delete;
    } const pending{pending_};
    co_return co_await asio::co_spawn(worker_, verify(authenticator_, std::move(request)), asio::use_awaitable);
}

Response AccessGate::refusal(const AuthRequest& request, const AuthDecision& decision) const {
    if (!decision.busy) return authenticator_->denial(request);
    Response response = error_response(503, "too many password checks pending; retry shortly");
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

}  // namespace cmon::http
