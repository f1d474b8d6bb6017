// Builds the HTTP access control from the configuration: the token (flag, CMON_AUTH_TOKEN or a file)
// and the htpasswd users. Errors are util::Error lines fit for stderr.
#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "http/authenticator.hpp"

namespace cmon::app {

// Null when neither a token nor a basic-auth file is configured (everything open).
std::shared_ptr<const http::Authenticator> make_authenticator(const Config& config);

// One line for the log naming what is active, never a secret: "token", "basic (3 users)", "off".
std::string describe_access_control(const http::Authenticator* authenticator);

}  // namespace cmon::app
