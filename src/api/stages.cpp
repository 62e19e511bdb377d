#include "api/stages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "api/docs.hpp"
#include "api/html.hpp"
#include "api/openapi.hpp"
#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::api {

std::optional<Response> refuse_unless_read(const Request& request) {
  if (request.method == "GET" || request.method == "HEAD") return std::nullopt;
  Response r;
  r.status = 405;
  r.content_type = "application/json";
  r.headers = {{"Allow", "GET, HEAD"}};
  r.body = detail_body(fmt::format("Method \"{}\" not allowed.", request.method));
  return r;
}

}  // namespace ll2::api

namespace ll2::api::stages {

namespace {

// DRF's content negotiation: `format` (a suffix, else ?format=) narrows the
// renderers to the one it names; then the most specific Accept media types
// are tried against the renderers left, in order, so `?format=json` with
// `Accept: text/html` is a 406, as DRF answers.
enum class Negotiation { Json, Html, UnknownFormat, NotAcceptable };

// DRF's JSONRenderer.get_indent: the `indent` parameter of the accepted
// media type, as Python's int(), clamped to 0..8; 0 is compact.
int indent_of(std::string_view media_type) {
  const auto parts = text::split_stripped(media_type, ';');
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(text::python_strip(parts[i].substr(0, eq)));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "indent") continue;
    std::string_view value = text::python_strip(parts[i].substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    const auto n = text::python_int_saturating(value);
    return n ? static_cast<int>(std::clamp<int64_t>(*n, 0, 8)) : 0;
  }
  return 0;
}

struct Negotiated {
  Negotiation renderer;
  int indent = 0;  // JSON only
};

Negotiated negotiate(std::string_view suffix, const text::QueryParams& params,
                     std::string_view accept) {
  std::string_view format = suffix;  // a format suffix wins over ?format=
  if (format.empty()) format = params.get("format").value_or("");
  bool json = true;
  bool html = true;
  if (!format.empty()) {
    if (format != "json" && format != "api") return {Negotiation::UnknownFormat};
    json = format == "json";
    html = format == "api";
  }
  if (accept.empty()) return {json ? Negotiation::Json : Negotiation::Html};
  // Group media types by DRF's precedence: 3 = type/subtype;params, 2 =
  // type/subtype, 1 = type/*, 0 = */*.
  std::vector<std::pair<std::string_view, std::string_view>> groups[4];  // type, whole item
  for (const std::string_view item : text::split_stripped(accept, ',')) {
    if (item.empty()) continue;
    // Parameters other than q count towards precedence.
    const auto parts = text::split_stripped(item, ';');
    const std::string_view type = parts[0];
    const bool has_params = std::any_of(parts.begin() + 1, parts.end(), [](std::string_view p) {
      return !p.empty() && !p.starts_with("q=");
    });
    int precedence = 2;
    if (type == "*/*")
      precedence = 0;
    else if (type.ends_with("/*"))
      precedence = 1;
    else if (has_params)
      precedence = 3;
    groups[precedence].emplace_back(type, item);
  }
  const auto matches = [](std::string_view renderer, std::string_view wanted) {
    if (wanted == "*/*") return true;
    if (wanted.ends_with("/*"))
      return renderer.substr(0, renderer.find('/')) == wanted.substr(0, wanted.find('/'));
    return renderer == wanted;
  };
  for (int p = 3; p >= 0; --p) {
    if (groups[p].empty()) continue;
    for (const auto& [renderer, result] : {std::pair{"application/json", Negotiation::Json},
                                           std::pair{"text/html", Negotiation::Html}}) {
      if (!(result == Negotiation::Json ? json : html)) continue;
      for (const auto& [wanted, item] : groups[p]) {
        if (matches(renderer, wanted)) return {result, indent_of(item)};
      }
    }
  }
  return {Negotiation::NotAcceptable};
}

// Django's own page for a URL that no pattern matches (DEBUG off).
constexpr std::string_view kDjangoNotFound =
    "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n"
    "  <h1>Not Found</h1><p>The requested resource was not found on this "
    "server.</p>\n</body>\n</html>\n";

}  // namespace

std::optional<Response> static_asset(const Context& ctx) {
  const Request& request = ctx.request;
  if (ctx.path != kStylesheetPath || (request.method != "GET" && request.method != "HEAD"))
    return std::nullopt;
  Response response;
  response.headers = {{"Cache-Control", "public, max-age=86400"}, {"ETag", stylesheet_etag()}};
  response.content_type = "text/css; charset=utf-8";
  response.omit_body = request.method == "HEAD";
  if (etag_matches(request.if_none_match, stylesheet_etag())) {
    response.status = 304;
    return response;
  }
  response.body = stylesheet();
  return response;
}

Response not_routed(const Context& ctx) {
  Response response;
  const std::string_view target = ctx.request.target;
  const size_t qmark = target.find('?');
  if (!ctx.path.ends_with('/') && route(ctx.catalog, ctx.path + "/").kind != Route::None) {
    response.status = 301;
    response.content_type = "text/html; charset=utf-8";
    std::string location(target.substr(0, qmark));
    location += '/';
    if (qmark != std::string_view::npos) location += target.substr(qmark);
    // Django's escape_leading_slashes: a Location starting `//` would be
    // scheme-relative (another host). route() already refuses such paths.
    if (location.starts_with("//")) location.replace(0, 2, "/%2F");
    response.headers = {{"Location", location}};
    return response;
  }
  response.status = 404;
  response.content_type = "text/html";
  response.body = kDjangoNotFound;
  return response;
}

std::optional<Response> method_stage(const Context& ctx, const Route& rt) {
  const std::string_view method = ctx.request.method;
  if (method == "OPTIONS" && (rt.kind == Route::List || rt.kind == Route::Detail)) {
    const Resource& r = *rt.resource;
    std::string body;
    json::Writer w(body);
    w.begin_object();
    w.key("name");
    w.string(route_name(r, rt.action) + (rt.kind == Route::List ? " List" : " Instance"));
    w.key("description");
    std::string description = resource_docs_markdown(rt.version->version(), r, rt.action, {});
    while (!description.empty() && description.back() == '\n') description.pop_back();
    w.string(description);
    w.key("renders");
    w.begin_array();
    w.string("application/json");
    w.string("text/html");
    w.end_array();
    w.key("parses");
    w.begin_array();
    w.string("application/json");
    w.string("application/x-www-form-urlencoded");
    w.string("multipart/form-data");
    w.end_array();
    w.end_object();
    Response response;
    response.content_type = "application/json";
    response.headers = {{"Allow", kAllow}, {"Vary", kVary}};
    response.body = std::move(body);
    return response;
  }
  if (method != "GET" && method != "HEAD")
    return json_error(405, fmt::format("Method \"{}\" not allowed.", method));
  return std::nullopt;
}

std::optional<Response> negotiation_stage(Context& ctx, const Route& rt) {
  const bool head = ctx.request.method == "HEAD";
  const Negotiated chosen = negotiate(rt.format, ctx.params, ctx.request.accept);
  ctx.indent = chosen.indent;
  switch (chosen.renderer) {
    case Negotiation::Json:
      ctx.format = Format::Json;
      break;
    case Negotiation::Html:
      ctx.format = Format::Html;
      break;
    case Negotiation::UnknownFormat:
      return json_error(404, "Not found.", head);
    case Negotiation::NotAcceptable:
      return json_error(406, "Could not satisfy the request Accept header.", head);
  }
  ctx.urls = {ctx.base,
              rt.format.empty() ? std::string() : "." + rt.format,
              {},
              rt.version != nullptr ? rt.version->version().prefix : std::string()};
  if (const auto f = ctx.params.get("format")) {
    ctx.urls.query = "?format=";
    text::append_quote_plus(ctx.urls.query, *f);
  }
  return std::nullopt;
}

Response api_root(const Context& ctx, const Route& rt) {
  std::string body;
  json::Writer w(body);
  w.begin_object();
  const std::string& prefix = rt.version->version().prefix;
  for (const auto& r : rt.version->routes()) {
    w.key(r.path);
    w.string(ctx.base + prefix + r.path + "/" + ctx.urls.query);
  }
  w.end_object();
  Response response;
  finish(response, ctx, rt, std::move(body));
  return response;
}

Response schema_document(const Context& ctx, const Registry& version,
                         const std::string& public_url) {
  static std::mutex mutex;
  static std::map<const Registry*, std::string> fixed;
  Response response;
  response.content_type = "application/vnd.oai.openapi+json";
  response.headers = {{"Allow", kAllow}, {"Vary", kVary}};
  if (public_url.empty()) {
    response.body = openapi_document(version, ctx.base);
    return response;
  }
  const std::lock_guard lock(mutex);
  auto [it, added] = fixed.try_emplace(&version);
  if (added) it->second = openapi_document(version, public_url);
  response.body = it->second;
  return response;
}

}  // namespace ll2::api::stages
