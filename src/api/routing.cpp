#include "api/routing.hpp"

#include <algorithm>

#include "api/changes_view.hpp"
#include "api/feed_schema.hpp"
#include "api/live_page.hpp"

namespace ll2::api::stages {

namespace {

// A route that is nothing but its kind (the probes).
Route only(Route::Kind kind) {
  Route r;
  r.kind = kind;
  return r;
}

bool is_format_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

// The version's own routes besides its resources: the OpenAPI document and
// the throttle's report (2.3.0's api-throttle/, 2.4.0's api-throttle/status/).
Route version_route(const Registry& version, std::string_view path, const std::string& format) {
  if (path == "schema" && format.empty())
    return {Route::Schema, nullptr, nullptr, {}, {}, &version};
  // Answered by the throttle when throttling is on (http/throttle.hpp).
  if (path == version.version().throttle_path)
    return {Route::ApiThrottle, nullptr, nullptr, {}, format, &version};
  if (const model::Route* r = version.find_route(path))
    return {Route::List, r->resource, r->action, {}, format, &version, r->mode};
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  // A single-object route (dashboard/starship) and a mode's list have no detail route.
  if (const model::Route* r = version.find_route(path.substr(0, slash)); r != nullptr && r->detail)
    return {Route::Detail, r->resource, r->action, std::string(path.substr(slash + 1)),
            format,        &version};
  return {};
}

}  // namespace

Route route(const model::Catalog& catalog, std::string_view path) {
  // Django matches the path against `^/` and then the version's patterns, so
  // an empty segment (`//2.3.0/`, `/2.3.0//docking_events/`) matches none.
  if (!path.starts_with('/') || path.find("//") != std::string_view::npos) return {};
  if (path == "/health_check/") return only(Route::Health);
  if (path == "/healthz") return only(Route::Live);
  if (path == "/readyz") return only(Route::Ready);
  if (path == kChangesPath) return only(Route::Changes);
  if (path == kLivePagePath) return only(Route::LivePage);
  if (path == kFeedSchemaPath) return only(Route::FeedSchema);
  const Registry* version = catalog.for_path(path);
  if (version == nullptr) {
    // The prefix without its slash (`/2.3.0`) is no route (Django would append one).
    return {};
  }
  std::string rest(path.substr(version->version().prefix.size()));
  if (rest.empty()) return {Route::Root, nullptr, nullptr, {}, {}, version};
  std::string format;
  const size_t last = rest.rfind('/', rest.size() - (rest.ends_with('/') ? 2 : 1));
  const size_t dot = rest.find('.', last == std::string::npos ? 0 : last + 1);
  if (dot != std::string::npos) {
    format = rest.substr(dot + 1);
    if (format.ends_with('/')) format.pop_back();
    rest.resize(dot);
    if (rest.empty() || rest.back() == '/' || !is_format_name(format)) return {};
  } else if (!rest.ends_with('/')) {
    return {};
  } else {
    rest.pop_back();
  }
  return version_route(*version, rest, format);
}

}  // namespace ll2::api::stages
