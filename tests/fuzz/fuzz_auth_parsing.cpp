// Access control's text rules, fed with bytes an unauthenticated client controls (Authorization and Cookie
// headers, the ?token= value) and the operator's files (htpasswd, token file): htpasswd lines, hash schemes,
// token syntax, the Authorization header, base64, Basic credentials and cookie values. The documented
// failures are util::Error; anything else escaping is a bug. Contracts: Basic credentials split at the
// first ':', so the user never holds one; a cookie value never holds ';'.
#include <string>

#include "fuzz_input.hpp"
#include "http/auth_parsing.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace h = cmon::http;
    const auto text = cmon::fuzz::as_text(data, size);
    try {
        cmon::fuzz::keep(h::parse_htpasswd(text, "fuzz.htpasswd"));
    } catch (const cmon::util::Error&) {
    }
    try {
        h::check_token_syntax(text, "--auth-token");
    } catch (const cmon::util::Error&) {
    }
    cmon::fuzz::keep(h::hash_scheme(text));
    if (const auto authorization = h::parse_authorization(text)) {
        if (authorization->credentials.empty()) __builtin_trap();
        if (const auto basic = h::parse_basic_credentials(authorization->credentials)) {
            if (basic->user.find(':') != std::string::npos) __builtin_trap();
        }
    }
    if (const auto decoded = h::decode_base64(text)) cmon::fuzz::keep(*decoded);
    if (const auto basic = h::parse_basic_credentials(text)) {
        if (basic->user.find(':') != std::string::npos) __builtin_trap();
    }
    if (const auto value = h::cookie_value(text, "cmon_token")) {
        if (value->find(';') != std::string_view::npos) __builtin_trap();
    }
    return 0;
}
