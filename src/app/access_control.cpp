// Access control from the configuration (see the header).
#include "app/access_control.hpp"

#include <spdlog/spdlog.h>

namespace cmon::app {

std::shared_ptr<const http::Authenticator> make_authenticator(const Config& config) {
    http::AuthOptions options;
    if (!config.auth_token_file.empty()) {
        options.token = http::load_token_file(config.auth_token_file);
    } else if (!config.auth_token.empty()) {
        http::check_token_syntax(config.auth_token, "--auth-token");
        options.token = config.auth_token;
    }
    if (!options.token.empty() && options.token.size() < 16) {
        spdlog::warn("the auth token has only {} characters; use 32 or more random ones (e.g. openssl rand -hex 32)",
                     options.token.size());
    }
    if (!config.basic_auth_file.empty()) options.users = http::load_htpasswd_file(config.basic_auth_file);
    if (options.token.empty() && options.users.empty()) return nullptr;
    return std::make_shared<const http::Authenticator>(std::move(options));
}

std::string describe_access_control(const http::Authenticator* authenticator) {
    if (authenticator == nullptr) return "off (anyone who reaches the port can read everything)";
    std::string text;
    if (authenticator->token_enabled()) text = "token";
    if (authenticator->basic_enabled()) {
        if (!text.empty()) text += " or ";
        text += "basic auth";
    }
    return text + " required on every path but /healthz";
}

}  // namespace cmon::app
