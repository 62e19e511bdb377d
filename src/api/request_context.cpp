#include "api/request_context.hpp"

#include <fmt/format.h>

#include "api/html.hpp"
#include "json/writer.hpp"
#include "util/text.hpp"

namespace ll2::api {

std::string detail_body(std::string_view message) {
  std::string body;
  json::Writer w(body);
  w.begin_object();
  w.key("detail");
  w.string(message);
  w.end_object();
  return body;
}

// If-None-Match as Django's ConditionalGetMiddleware reads it (RFC 9110
// §13.1.2): `*`, or a comma-separated list of entity tags compared weakly
// (W/"x" matches "x"). Items that are not entity tags are skipped.
bool etag_matches(std::string_view header, std::string_view etag) {
  const auto strip_weak = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
  if (text::python_strip(header) == "*") return true;
  for (const std::string_view item : text::split_stripped(header, ',')) {
    const std::string_view tag = strip_weak(item);
    const bool valid = tag.size() >= 2 && tag.front() == '"' && tag.back() == '"' &&
                       tag.substr(1, tag.size() - 2).find('"') == std::string_view::npos;
    if (valid && tag == strip_weak(etag)) return true;
  }
  return false;
}

}  // namespace ll2::api

namespace ll2::api::stages {

Context request_context(const Request& request, const model::Catalog& catalog,
                        const std::string& public_url) {
  const size_t qmark = request.target.find('?');
  Context ctx{request,
              catalog,
              text::unquote(request.target.substr(0, qmark)),
              std::string(qmark == std::string_view::npos ? std::string_view()
                                                          : request.target.substr(qmark + 1)),
              {},
              {},
              Format::Json,
              0,
              {}};
  ctx.params = text::QueryParams::parse(ctx.query);
  ctx.base = public_url.empty() ? "http://" + std::string(request.host) : public_url;
  return ctx;
}

Response json_error(int status, std::string_view message, bool omit_body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.headers = {{"Allow", kAllow}, {"Vary", kVary}};
  r.body = detail_body(message);
  r.omit_body = omit_body;
  return r;
}

void finish(Response& r, const Context& ctx, const Route& route, std::string json_body,
            int64_t count) {
  r.headers = {{"Allow", kAllow}, {"Vary", kVary}};
  if (ctx.format == Format::Html) {
    // The page shows the headers of the JSON response it renders.
    PageInput page;
    page.version = &(route.version != nullptr ? *route.version : ctx.catalog.first()).version();
    page.resource = route.resource;
    page.action = route.action;
    page.is_list = route.kind == Route::List;
    page.method = std::string(ctx.request.method);
    page.full_path = ctx.path + (ctx.query.empty() ? "" : "?" + ctx.query);
    page.status = r.status;
    page.params = &ctx.params;
    page.base = ctx.base;
    page.json = std::move(json_body);
    page.count = count;
    page.headers = {{"Allow", kAllow}, {"Content-Type", "application/json"}, {"Vary", kVary}};
    r.content_type = "text/html; charset=utf-8";
    r.body = render_page(page);
  } else {
    r.content_type = "application/json";
    r.body = ctx.indent > 0 ? json::pretty(json_body, ctx.indent) : std::move(json_body);
  }
}

std::string page_link(const Context& ctx, const std::string& query) {
  return ctx.base + ctx.path + (query.empty() ? "" : "?" + query);
}

void conditional_get(const Request& request, Response& r) {
  if ((request.method != "GET" && request.method != "HEAD") || r.status != 200) return;
  std::string etag = fmt::format("\"{:016x}\"", std::hash<std::string_view>{}(r.body));
  if (etag_matches(request.if_none_match, etag)) {
    r.status = 304;
    r.body.clear();
    r.content_type.clear();
  }
  r.headers.emplace_back("ETag", std::move(etag));
}

}  // namespace ll2::api::stages
