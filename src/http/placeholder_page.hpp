// The temporary self-contained HTML page served at `GET /` until the real dashboard (web/) is embedded.
// Pure: builds a string. No external resources; the inline script writes with textContent only.
#pragma once

#include <string>
#include <string_view>

namespace cmon::http {

// `title` is plain text; it is HTML-escaped here.
std::string placeholder_page(std::string_view title);

// Escapes & < > " ' for use in HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace cmon::http
