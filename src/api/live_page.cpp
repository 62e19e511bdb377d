#include "api/live_page.hpp"

#include <fmt/format.h>

#include "json/writer.hpp"

namespace ll2::api {

namespace {

// How many launches the page lists.
constexpr int kLaunches = 10;

constexpr std::string_view kHead = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Next launches · ll2d live</title>
<style>
body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6f9;color:#1b2a41}
header{background:#1b2a41;color:#fff;padding:12px 20px;display:flex;align-items:center;gap:16px}
header h1{font-size:18px;margin:0;flex:1}
#state{font-size:13px;padding:2px 10px;border-radius:10px;background:#8a6d00}
#state[data-state=live]{background:#2e7d32}
#state[data-state=offline]{background:#b71c1c}
main{padding:16px 20px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #dde3ea;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#5a6b80}
td.countdown{font-variant-numeric:tabular-nums;font-family:ui-monospace,monospace;white-space:nowrap}
td.net{white-space:nowrap}
td.status span{display:inline-block;padding:0 8px;border-radius:8px;background:#e3e9f1}
td.status .webcast{display:none;margin-left:6px;background:#c62828;color:#fff}
tr[data-webcast-live=true] td.status .webcast{display:inline-block}
tr.changed td{animation:flash 3s ease-out}
@keyframes flash{from{background:#fff3b0}to{background:transparent}}
#message{color:#5a6b80}
</style>
</head>
<body>
<header><h1>Next launches</h1><span id="state" data-state="connecting">connecting</span></header>
<main>
<p id="message">Loading…</p>
<table>
<thead><tr><th>Launch</th><th>Provider</th><th>Status</th><th>NET (UTC)</th><th>Countdown</th></tr></thead>
<tbody id="launches"></tbody>
</table>
</main>
)";

// The page's script. Data reaches the page only as textContent.
constexpr std::string_view kScript = R"(<script>
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("live-config").textContent);
  const body = document.getElementById("launches");
  const message = document.getElementById("message");
  const state = document.getElementById("state");
  const rows = new Map();  // launch id -> {launch, tr, cells}

  const pad = (n) => String(n).padStart(2, "0");
  const netText = (net) => (net ? net.replace("T", " ").replace(/(\.\d+)?Z$/, "") : "TBD");
  function countdown(net) {
    if (!net) return "";
    let s = Math.round((Date.parse(net) - Date.now()) / 1000);
    const sign = s < 0 ? "T+ " : "T\u2212 ";
    s = Math.abs(s);
    const days = Math.floor(s / 86400);
    const clock = pad(Math.floor(s / 3600) % 24) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    return sign + (days ? days + "d " : "") + clock;
  }

  function show(row) {
    const l = row.launch;
    row.cells.name.textContent = l.name || "";
    row.cells.provider.textContent = (l.launch_service_provider && l.launch_service_provider.name) || "";
    row.cells.abbrev.textContent = (l.status && l.status.abbrev) || "";
    row.cells.abbrev.title = (l.status && l.status.name) || "";
    row.cells.net.textContent = netText(l.net);
    row.cells.net.title = l.window_start ? "window " + netText(l.window_start) + " to " + netText(l.window_end) : "";
    row.cells.countdown.textContent = countdown(l.net);
    row.tr.dataset.webcastLive = l.webcast_live ? "true" : "false";
  }

  function add(launch) {
    const tr = document.createElement("tr");
    tr.dataset.id = launch.id;
    const cells = {};
    for (const name of ["name", "provider", "status", "net", "countdown"]) {
      cells[name] = document.createElement("td");
      cells[name].className = name;
      tr.appendChild(cells[name]);
    }
    cells.abbrev = cells.status.appendChild(document.createElement("span"));
    cells.abbrev.className = "abbrev";
    const webcast = cells.status.appendChild(document.createElement("span"));
    webcast.className = "webcast";
    webcast.textContent = "webcast live";
    const row = { launch, tr, cells };
    rows.set(launch.id, row);
    show(row);
    return row;
  }

  // Rows in NET order (a launch without one last).
  function order() {
    const key = (r) => (r.launch.net ? Date.parse(r.launch.net) : Infinity);
    for (const r of [...rows.values()].sort((a, b) => key(a) - key(b))) body.appendChild(r.tr);
    message.textContent = rows.size ? "" : "No upcoming launches.";
  }

  let loading = null;
  function load() {
    if (loading) return loading;
    loading = fetch(config.launches, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
      .then((page) => {
        rows.clear();
        body.replaceChildren();
        for (const l of page.results) add(l);
        order();
      })
      .catch((e) => { message.textContent = "Could not read the launches: " + e.message; })
      .finally(() => { loading = null; });
    return loading;
  }

  // One entry of the change log: the row updated in place from its
  // `changes`, removed, or the list read again when a launch may enter it.
  function apply(entry) {
    if (entry.kind !== "launch") return;
    const row = rows.get(entry.id);
    if (entry.op === "deleted") {
      if (row) { rows.delete(entry.id); row.tr.remove(); order(); }
      return;
    }
    const moved = entry.types.some((t) => t === "launch.net_changed" || t === "launch.status_changed");
    if (!row) {
      if (entry.op === "created" || moved) load();
      return;
    }
    const changes = entry.changes || {};
    let changed = false;
    for (const field of ["net", "window_start", "window_end", "status", "webcast_live"]) {
      if (!(field in changes)) continue;
      row.launch[field] = changes[field].new;
      changed = true;
    }
    if (!changed) return;
    show(row);
    row.tr.classList.remove("changed");
    void row.tr.offsetWidth;  // restarts the highlight
    row.tr.classList.add("changed");
    order();
  }

  function setState(name) {
    state.dataset.state = name;
    state.textContent = name;
  }

  load().then(() => {
    const source = new EventSource(config.stream + "&since=" + encodeURIComponent(config.since));
    source.onopen = () => setState("live");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    source.onmessage = (e) => {
      try { apply(JSON.parse(e.data)); } catch (err) { console.error(err); }
    };
  });
  setInterval(() => {
    for (const row of rows.values()) row.cells.countdown.textContent = countdown(row.launch.net);
  }, 1000);
})();
</script>
</body>
</html>
)";

std::string config_json(int64_t since, std::string_view prefix) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.key("since");
  w.integer(since);
  // Relative to the page, so it works under a proxy's path prefix too.
  w.key("launches");
  w.string(
      fmt::format("../..{}launches/upcoming/?format=json&mode=normal&limit={}", prefix, kLaunches));
  w.key("stream");
  w.string("../changes/stream?kinds=launch");
  w.end_object();
  // Inside a script element "</" would end it.
  for (size_t at = out.find("</"); at != std::string::npos; at = out.find("</", at))
    out.insert(at + 1, "\\");
  return out;
}

}  // namespace

Response live_page(const Request& request, store::Store& store, store::Deadline deadline,
                   std::string_view prefix) {
  if (auto refused = refuse_unless_read(request)) return std::move(*refused);
  Response r;
  r.headers = {{"Allow", "GET, HEAD"}};
  const store::ReadSnapshot snapshot(store, deadline);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed, *snapshot.error());
  r.content_type = "text/html; charset=utf-8";
  r.body = fmt::format("{}<script type=\"application/json\" id=\"live-config\">{}</script>\n{}",
                       kHead, config_json(store.last_change(), prefix), kScript);
  // The page changes only with the log's end, which moves only with data.
  r.generation = store.data_version();
  r.omit_body = request.method == "HEAD";
  return r;
}

}  // namespace ll2::api
