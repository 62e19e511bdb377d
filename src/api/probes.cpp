#include "api/probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::api {

Engine::DatabaseProbe::Result Engine::DatabaseProbe::get(const StoreOpener& open_store) {
  const std::lock_guard lock(mutex);
  const auto now = std::chrono::steady_clock::now();
  if (checked && now - checked_at < kFreshFor) return last;
  last = check(open_store);
  if (!last.problem.empty())
    fmt::print(stderr, "ll2d: health check: the database is unavailable: {}\n", last.problem);
  checked = true;
  checked_at = std::chrono::steady_clock::now();
  return last;
}

Engine::DatabaseProbe::Result Engine::DatabaseProbe::check(const StoreOpener& open_store) {
  Result out;
  try {
    const auto store = open_store();
    const store::ReadSnapshot snapshot(*store);
    if (snapshot.error()) {
      out.problem = *snapshot.error();
      return out;
    }
    out.data = holds_ll2_data(*store);
  } catch (const std::exception& e) {
    out.problem = e.what();
  }
  return out;
}

bool holds_ll2_data(store::Store& store) {
  for (const auto& r : store.schema().resources()) {
    if (r->kind->id_type == model::IdType::None) continue;
    store::ListQuery q;
    q.kind = r->kind;
    q.limit = 1;
    q.count = false;
    if (!store.list(q).ids.empty()) return true;
  }
  return false;
}

}  // namespace ll2::api

namespace ll2::api::stages {

namespace {

// django-health-check's MainView: the media types of Accept by weight
// (stable), the first of HTML's or JSON's kinds decides; `format=json` wins.
enum class HealthFormat { Html, Json, NotAcceptable };

HealthFormat health_format(const text::QueryParams& params, std::string_view accept) {
  if (params.get("format") == "json") return HealthFormat::Json;
  if (accept.empty()) accept = "*/*";
  std::vector<std::pair<double, std::string>> media;
  for (const std::string_view item : text::split_stripped(accept, ',')) {
    if (item.empty()) continue;
    const auto parts = text::split_stripped(item, ';');
    double weight = 1.0;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].starts_with("q="))
        weight = std::strtod(std::string(parts[i].substr(2)).c_str(), nullptr);
    }
    media.emplace_back(weight, std::string(parts[0]));
  }
  std::stable_sort(media.begin(), media.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [weight, type] : media) {
    if (type == "text/html" || type == "application/xhtml+xml" || type == "text/*" || type == "*/*")
      return HealthFormat::Html;
    if (type == "application/json" || type == "application/*") return HealthFormat::Json;
  }
  return HealthFormat::NotAcceptable;
}

}  // namespace

// /health_check/ as django-health-check answers it: each check by name with
// "working" or "unavailable: why"; 500 when one fails; never cached. Why is
// its DatabaseBackend's "Database error": the real cause (which may name the
// database's URL or server) goes to stderr, not to anonymous callers.
Response health_check(const Context& ctx, const Engine::DatabaseProbe::Result& probed) {
  const bool ok = probed.problem.empty();
  const std::string database = ok ? "working" : "unavailable: Database error";
  Response r;
  r.status = ok ? 200 : 500;
  r.headers = {{"Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"}};
  switch (health_format(ctx.params, ctx.request.accept)) {
    case HealthFormat::Json: {
      json::Writer w(r.body);
      w.begin_object();
      w.key("DatabaseBackend");
      w.string(database);
      w.end_object();
      r.content_type = "application/json";
      break;
    }
    case HealthFormat::Html:
      r.content_type = "text/html; charset=utf-8";
      r.body = fmt::format(
          "<!doctype html>\n<html><head><title>System status</title>"
          "<meta name=\"robots\" content=\"noindex\"></head>\n<body><h1>System status</h1>\n"
          "<table><thead><tr><th colspan=\"2\">Service</th><th>Status</th></tr></thead><tbody>\n"
          "<tr><td>{}</td><td>DatabaseBackend</td><td>{}</td></tr>\n</tbody></table></body></"
          "html>\n",
          ok ? "&#9989;" : "&#10060;", text::html_escape(database));
      break;
    case HealthFormat::NotAcceptable:
      r.status = 406;
      r.content_type = "text/plain";
      r.body = "Not Acceptable: Supported content types: text/html, application/json";
      break;
  }
  r.omit_body = ctx.request.method == "HEAD";
  return r;
}

// For load balancers and orchestrators (not in LL2): /healthz says the
// process answers; /readyz that it can serve data now: the database is
// reachable with this ll2d's schema (a connection of its own, opened as the
// workers open theirs) and holds objects of some endpoint. 503 otherwise, so
// a balancer sends no traffic to a node whose database is away or empty. The
// reason given is generic; the database's own message goes to stderr.
Response probe(const Context& ctx, const Engine::DatabaseProbe::Result* database) {
  std::string problem;
  if (database != nullptr && !database->problem.empty())
    problem = "the database is unavailable";
  else if (database != nullptr && !database->data)
    problem = "the database holds no LL2 data yet";
  Response r;
  r.status = problem.empty() ? 200 : 503;
  r.content_type = "application/json";
  r.headers = {{"Cache-Control", "no-store"}};
  if (!problem.empty()) r.headers.emplace_back("Retry-After", "5");
  json::Writer w(r.body);
  w.begin_object();
  w.key("status");
  w.string(problem.empty() ? (database != nullptr ? "ready" : "alive") : "unavailable");
  if (!problem.empty()) {
    w.key("reason");
    w.string(problem);
  }
  w.end_object();
  r.omit_body = ctx.request.method == "HEAD";
  return r;
}

}  // namespace ll2::api::stages
