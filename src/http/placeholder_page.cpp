// The temporary page at `GET /`; replaced by the embedded dashboard later. Pure string building.
// The script polls /query (legacy shape, ../shared/reference/query-schema.md) and writes with
// textContent only, so nothing from the data is ever parsed as HTML.
#include "http/placeholder_page.hpp"

namespace cmon::http {
namespace {

constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)";

constexpr std::string_view kMiddle = R"(</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
dl { display: grid; grid-template-columns: max-content auto; gap: .3rem 1.2rem; }
dt { font-weight: 600; }
#status { color: #777; }
</style>
</head>
<body>
<h1>)";

constexpr std::string_view kTail = R"(</h1>
<dl>
<dt>Host</dt><dd id="hostname">-</dd>
<dt>IP</dt><dd id="ip">-</dd>
<dt>Time</dt><dd id="time">-</dd>
<dt>CPU</dt><dd id="cpu">-</dd>
<dt>Memory</dt><dd id="mem">-</dd>
<dt>GPUs</dt><dd id="gpus">-</dd>
<dt>Containers</dt><dd id="containers">-</dd>
</dl>
<p id="status">loading...</p>
<script>
"use strict";
function show(id, value) {
  document.getElementById(id).textContent = (value === undefined || value === null) ? "-" : String(value);
}
async function refresh() {
  try {
    const reply = await fetch("/query", { cache: "no-store" });
    const data = await reply.json();
    if (!reply.ok) { show("status", data.error || ("HTTP " + reply.status)); return; }
    const host = data["host-stats"] || {};
    show("hostname", data.hostname);
    show("ip", data.ip);
    show("time", data.time);
    show("cpu", host["cpu-perc"] === undefined ? undefined : host["cpu-perc"] + " %");
    show("mem", host.mem ? host.mem["used/total"] : undefined);
    show("gpus", Array.isArray(host.gpu) ? host.gpu.length : undefined);
    show("containers", data["container-stats"] ? Object.keys(data["container-stats"]).length : undefined);
    show("status", "updated " + new Date().toLocaleTimeString());
  } catch (e) {
    show("status", "cannot reach the monitor: " + e);
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)";

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string placeholder_page(std::string_view title) {
    const std::string escaped = html_escape(title);
    std::string page;
    page.reserve(kHead.size() + kMiddle.size() + kTail.size() + 2 * escaped.size());
    page.append(kHead).append(escaped).append(kMiddle).append(escaped).append(kTail);
    return page;
}

}  // namespace cmon::http
