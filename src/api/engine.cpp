#include "api/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "api/changes_view.hpp"
#include "api/clock.hpp"
#include "api/compose.hpp"
#include "api/docs.hpp"
#include "api/feed_schema.hpp"
#include "api/fragment_cache.hpp"
#include "api/html.hpp"
#include "api/list_index.hpp"
#include "api/live_page.hpp"
#include "api/openapi.hpp"
#include "api/params.hpp"
#include "api/reads.hpp"
#include "api/serializer.hpp"
#include "http/query_string.hpp"
#include "json/writer.hpp"
#include "store/sql_builder.hpp"
#include "util/text.hpp"

namespace ll2::api {

namespace {

std::atomic<uint64_t> next_serial{1};

enum class Format { Json, Html };

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

Negotiated negotiate(std::string_view suffix, const http::QueryParams& params,
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

// What every response of an LL2 view carries (its http_method_names is
// ['get'], and renderers are chosen by Accept).
constexpr const char* kAllow = "GET";
constexpr const char* kVary = "Accept";

// DRF's answer to an error raised before a renderer was chosen: JSON
// {"detail": ...} with the view's Allow and Vary headers.
Response json_error(int status, std::string_view message, bool omit_body = false) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.headers = {{"Allow", kAllow}, {"Vary", kVary}};
  r.body = detail_body(message);
  r.omit_body = omit_body;
  return r;
}

struct Route {
  enum Kind {
    None,
    Root,
    Schema,
    Health,
    Live,
    Ready,
    Changes,
    LivePage,    // /ll2d/live/ (Live is /healthz)
    FeedSchema,  // /ll2d/schema/
    List,
    Detail,
    ApiThrottle
  } kind = None;
  const Resource* resource = nullptr;
  const model::Action* action = nullptr;  // launches/upcoming
  std::string id;
  std::string format;                 // from a format suffix (docking_events/609.json)
  const Registry* version = nullptr;  // the API version the path is of
  const Mode* mode = nullptr;         // a mode's own list route (2.4.0's launches/mini/)
};

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
  if (path == (version.version().mode_routes ? "api-throttle/status" : "api-throttle"))
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

// DRF's router patterns below a version's prefix: `prefix/` and
// `prefix/{pk}/` with pk in [^/.]+, plus format-suffix variants
// `prefix.json` and `prefix/{pk}.json` (suffix in [a-z0-9]+, trailing slash
// optional). A prefix may have several segments (config/orbits,
// launches/upcoming).
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

// Django's own page for a URL that no pattern matches (DEBUG off).
constexpr std::string_view kDjangoNotFound =
    "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n"
    "  <h1>Not Found</h1><p>The requested resource was not found on this "
    "server.</p>\n</body>\n</html>\n";

}  // namespace

struct Engine::ThreadState {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<RowCache> cache;
  std::chrono::steady_clock::time_point opened;
};

// What /health_check/ and /readyz say of the database: checked on a
// connection of its own (the check must see a database that vanished or broke
// since the workers opened theirs), at most once a second, so probes polled
// by many clients cost one connection a second, not one each. A caller that
// finds a check running waits for it rather than starting another.
struct Engine::DatabaseProbe {
  struct Result {
    std::string problem;  // empty: reachable; never shown to clients (stderr)
    bool data = false;    // it holds objects of some endpoint
  };
  static constexpr auto kFreshFor = std::chrono::seconds(1);

  Result get(const StoreOpener& open_store) {
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

  static Result check(const StoreOpener& open_store) {
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

  std::mutex mutex;
  bool checked = false;
  std::chrono::steady_clock::time_point checked_at;
  Result last;
};

Engine::Engine(StoreOpener open_store, EngineOptions options)
    : open_store_(std::move(open_store)),
      options_(std::move(options)),
      catalog_(options_.catalog != nullptr ? *options_.catalog : model::catalog()),
      serial_(next_serial++),
      probe_(std::make_unique<DatabaseProbe>()) {
  while (!options_.public_url.empty() && options_.public_url.back() == '/')
    options_.public_url.pop_back();
  ListIndexOptions list_options;
  list_options.max_bytes = options_.list_index_bytes;
  list_options.log = options_.prepare_list_indexes;  // serve
  lists_ = std::make_unique<ListIndexes>(open_store_, list_options);
  if (options_.fragment_cache_bytes > 0)
    fragments_ = std::make_shared<FragmentCache>(options_.fragment_cache_bytes);
  if (options_.prepare_list_indexes) {
    // Every route's default list first, then the index its searches use
    // (another shape: it holds the searched names too), so no search waits
    // for SQL once serve has been up a few seconds.
    for (const bool searched : {false, true}) {
      const auto params = http::QueryParams::parse(searched ? "search=a" : "");
      for (const auto& r : catalog_.first().resources()) {
        if (!r->paginated || (searched && r->search_fields.empty())) continue;
        if (auto sel = select(*r, params, false); auto* s = std::get_if<Selection>(&sel))
          lists_->prepare(s->query);
      }
    }
  }
}

void Engine::wait_for_list_indexes() const {
  lists_->wait_idle();
}

uint64_t Engine::list_index_answers() const {
  return lists_->answered();
}

namespace {
// Each worker thread keeps its own connection and row cache per engine.
std::unordered_map<uint64_t, Engine::ThreadState>& thread_states() {
  thread_local std::unordered_map<uint64_t, Engine::ThreadState> states;
  return states;
}
}  // namespace

// Releases this thread's connection; worker threads have ended by now.
Engine::~Engine() {
  thread_states().erase(serial_);
}

std::optional<uint64_t> Engine::generation_now() const {
  // Only an optimisation asks: whatever fails here (a database that cannot
  // be opened) sends the request the usual way, which answers and logs it.
  if (options_.generation_source) return options_.generation_source();
  try {
    return state().store->generation_now();
  } catch (const std::exception&) {
    thread_states().erase(serial_);  // reopened at the next call
    return std::nullopt;
  }
}

std::optional<Response> Engine::with_generations(
    const std::function<std::optional<Response>(uint64_t, const KindGenerations&)>& fn) const {
  // As generation_now: an optimisation; whatever fails here (a database
  // that cannot be opened) sends the request the usual way, which answers
  // it and logs why.
  try {
    ThreadState& st = state();
    st.cache->refresh();
    return fn(st.cache->version(), st.cache->kind_generations());
  } catch (const std::exception&) {
    thread_states().erase(serial_);
    return std::nullopt;
  }
}

int64_t Engine::now() const {
  if (options_.now) return *options_.now;
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Engine::ThreadState& Engine::state() const {
  ThreadState& s = thread_states()[serial_];
  const auto now = std::chrono::steady_clock::now();
  if (s.store && options_.reconnect_after.count() > 0 &&
      now - s.opened > options_.reconnect_after) {
    s.cache.reset();  // it refers to the store
    s.store.reset();
  }
  if (!s.store) {
    s.store = open_store_();
    s.cache = std::make_unique<RowCache>(*s.store, options_.row_cache_entries, fragments_);
    s.opened = now;
  }
  return s;
}

namespace {

struct Context {
  const Request& request;
  const model::Catalog& catalog;  // every version served
  std::string path;               // decoded path
  std::string query;              // raw query string
  http::QueryParams params;
  std::string base;  // scheme://host
  Format format = Format::Json;
  int indent = 0;   // JSON: Accept's `indent` parameter (0: compact)
  UrlContext urls;  // how URLs in the body are built
};

void finish(Response& r, const Context& ctx, const Route& route, std::string json_body,
            int64_t count = -1) {
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

}  // namespace

std::optional<Response> refuse_unless_read(const Request& request) {
  if (request.method == "GET" || request.method == "HEAD") return std::nullopt;
  Response r;
  r.status = 405;
  r.content_type = "application/json";
  r.headers = {{"Allow", "GET, HEAD"}};
  r.body = detail_body(fmt::format("Method \"{}\" not allowed.", request.method));
  return r;
}

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

namespace {

// The last stage of an API response: an entity tag of its bytes (the same
// on every node running this ll2d), and 304 Not Modified when the client
// has them already. As Django's ConditionalGetMiddleware answers a 304: the
// headers but no body and no Content-Type.
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

// The stages of a request, in order. Each returns a response when it is the
// one that answers.

// 1. Static assets of the browsable page.
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

// 2. A path no route matches: Django's APPEND_SLASH redirect when the
// slashed path would route, else Django's 404 page.
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

// 3. Methods: OPTIONS answers DRF's SimpleMetadata; only GET and HEAD go on.
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

// 4. The renderer, by format suffix, `format` or Accept; and how URLs in the
// body carry the format along (DRF's reverse()).
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
    http::append_quote_plus(ctx.urls.query, *f);
  }
  return std::nullopt;
}

// 5a. The API root: every route of the version by name.
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

// 5b. The version's OpenAPI document, generated once per version where it
// depends on nothing but the declarations (with --public-url).
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

// Django's pk lookup of a detail route: int() or uuid.UUID() of the path
// segment. nullopt: the segment does not parse, DRF's bare Http404 ("Not
// found."). An integer beyond 64 bits parses but matches no row (Django 5
// turns an out-of-range lookup into an empty result): a null Value.
std::optional<Value> detail_id(const Kind& kind, std::string_view segment) {
  if (kind.id_type == IdType::Uuid) {
    if (auto u = text::python_uuid(segment)) return Value(std::move(*u));
    return std::nullopt;
  }
  if (auto i = text::python_int(segment)) return Value(*i);
  if (text::python_int_saturating(segment)) return Value();
  return std::nullopt;
}

// /health_check/, /healthz and /readyz (defined with the CORS middleware below).
Response health_check(const Context& ctx, const Engine::DatabaseProbe::Result& database);
Response probe(const Context& ctx, const Engine::DatabaseProbe::Result* database);

// DRF's LimitOffsetPagination envelope around the rendered results.
void write_page(json::Writer& w, const Context& ctx, const store::ListQuery& q, int64_t count,
                const std::function<void()>& results) {
  w.begin_object();
  w.key("count");
  w.integer(count);
  w.key("next");
  if (q.offset >= count - q.limit) {  // offset + limit >= count, without overflow
    w.null();
  } else {
    w.string(page_link(ctx, ctx.params.encode_replacing("limit", std::to_string(q.limit), "offset",
                                                        std::to_string(q.offset + q.limit))));
  }
  w.key("previous");
  if (q.offset <= 0) {
    w.null();
  } else if (q.offset - q.limit <= 0) {
    w.string(
        page_link(ctx, ctx.params.encode_removing("offset", "limit", std::to_string(q.limit))));
  } else {
    w.string(page_link(ctx, ctx.params.encode_replacing("limit", std::to_string(q.limit), "offset",
                                                        std::to_string(q.offset - q.limit))));
  }
  w.key("results");
  results();
  w.end_object();
}

}  // namespace

namespace {

// 5c. A resource's list or detail: validated parameters, one snapshot of the
// database, the rows rendered through the caches.
// A paginated list's page and exact count: from a list index when one of
// this snapshot's generation answers it, else from the store, with the count
// cached for the generation.
store::Page list_page(store::ListQuery q, Engine::ThreadState& st, ListIndexes& lists) {
  const uint64_t generation = st.cache->version();
  if (auto page = lists.page(q, generation, [&st]() -> const ListIndexes::KindGenerations& {
        return st.cache->kind_generations();
      }))
    return std::move(*page);
  const auto statements = store::sql::list(q);
  std::string key = statements.count.sql;
  for (const auto& v : statements.count.params) {
    key += '\0';
    if (const auto* i = std::get_if<int64_t>(&v))
      key += "i" + std::to_string(*i);
    else if (const auto* d = std::get_if<double>(&v))
      key += fmt::format("d{}", *d);
    else if (const auto* s = std::get_if<std::string>(&v))
      key += "s" + *s;
  }
  if (const auto count = lists.cached_count(key, generation)) {
    q.count = false;
    store::Page page = st.store->list(q);
    page.count = *count;
    return page;
  }
  store::Page page = st.store->list(q);
  lists.store_count(key, generation, page.count);
  return page;
}

Response resource_view(const Context& ctx, const Route& rt, Engine::ThreadState& st, int64_t now,
                       store::Deadline deadline, ListIndexes& lists) {
  Response response;
  const Resource& resource = *rt.resource;
  // One snapshot for the whole request: the count, the ids and every row.
  const store::ReadSnapshot snapshot(*st.store, deadline);
  if (snapshot.error())
    throw store::StoreError(store::StoreError::Cause::Failed,
                            "starting a read: " + *snapshot.error());
  st.cache->refresh();
  SelectContext select_context;
  select_context.action = rt.action;
  select_context.mode = rt.mode;
  select_context.mode_parameter = !rt.version->version().mode_routes;
  select_context.filter.now = now;
  // Objects the parameters name (a filter's agency by id): the answer reads
  // their kinds too.
  std::set<std::string> looked_up;
  select_context.filter.load = [&st, &looked_up](const Kind& kind,
                                                 const Value& id) -> std::optional<Row> {
    looked_up.insert(kind.name);
    if (const auto row = st.cache->load(kind, id)) return *row;
    return std::nullopt;
  };
  select_context.exists = [&st, &looked_up](const Kind& kind, const Value& id) {
    looked_up.insert(kind.name);
    return st.cache->load(kind, id) != nullptr;
  };
  std::vector<model::ClockEdge> clock_edges;  // conditions on the time (upcoming)
  select_context.filter.clock_edges = &clock_edges;
  // A reusable answer: its generation, what it read (resource_reads) and,
  // when it depends on the time, until when it holds.
  const auto reusable = [&](Response& r, const Mode* mode) {
    const auto expires = clock_expiry(clock_edges, now, *st.store, *st.cache);
    if (!expires) return;
    r.generation = st.cache->version();
    r.expires = *expires == INT64_MAX ? 0 : *expires;
    if (mode == nullptr) return;  // any write ends it
    r.reads = resource_reads(resource, *mode);
    if (!looked_up.empty() || !clock_edges.empty()) {
      std::set<std::string> all(r.reads->begin(), r.reads->end());
      all.insert(looked_up.begin(), looked_up.end());
      for (const auto& edge : clock_edges) all.insert(edge.kind->name);
      r.reads = std::make_shared<const std::vector<std::string>>(all.begin(), all.end());
    }
  };
  auto selected = select(resource, ctx.params, rt.kind == Route::Detail, select_context);
  if (auto* errors = std::get_if<FieldErrors>(&selected)) {
    response.status = 400;
    finish(response, ctx, rt, errors_body(*errors));
    return response;
  }
  Selection& sel = std::get<Selection>(selected);
  store::ListQuery& q = sel.query;
  Serializer serializer(*st.cache, ctx.urls);
  // A page's objects rendered before come from the fragment cache; only the
  // others' rows, and what they print, are read.
  const auto render = [&](json::Writer& w, const store::Page& page) {
    const View& view = *sel.mode->resolved;
    std::vector<FragmentCache::Json> kept(page.ids.size());
    std::vector<Value> missing;
    for (size_t i = 0; i < page.ids.size(); ++i) {
      kept[i] = serializer.cached(view, page.ids[i]);
      if (!kept[i]) missing.push_back(page.ids[i]);
    }
    if (!missing.empty()) st.cache->prefetch(view, missing);
    w.begin_array();
    for (size_t i = 0; i < page.ids.size(); ++i) {
      if (kept[i])
        w.raw(*kept[i]);
      else if (const auto row = st.cache->load(*resource.kind, page.ids[i]))
        serializer.write_cached(w, view, *row);
    }
    w.end_array();
  };

  std::string body;
  json::Writer w(body);
  if (rt.kind == Route::Detail) {
    RowCache::RowPtr row;
    FragmentCache::Json kept;  // rendered before
    const auto id = detail_id(*resource.kind, rt.id);
    if (id && !is_null(*id)) {
      q.where.require(model::Predicate::compare("id", model::Lookup::Exact, *id));
      q.limit = 1;
      q.offset = 0;
      q.count = false;
      const auto page = st.store->list(q);
      if (!page.ids.empty()) kept = serializer.cached(*sel.mode->resolved, page.ids.front());
      if (!page.ids.empty() && !kept) {
        st.cache->prefetch(*sel.mode->resolved, page.ids);
        row = st.cache->load(*resource.kind, page.ids.front());
      }
    }
    if (!row && !kept) {
      // Django's get_object_or_404 names the model when the lookup ran.
      response.status = 404;
      finish(response, ctx, rt,
             detail_body(id ? fmt::format("No {} matches the given query.", resource.kind->model)
                            : std::string("Not found.")));
      return response;
    }
    if (kept)
      w.raw(*kept);
    else
      serializer.write_cached(w, *sel.mode->resolved, *row);
    finish(response, ctx, rt, std::move(body));
    reusable(response, sel.mode);
    return response;
  }
  if (!resource.paginated) {  // one object (dashboard/starship), as LL2 answers it
    q.count = false;
    q.offset = 0;
    q.limit = 1;
    const auto page = st.store->list(q);
    // LL2's own object as imported; with none stored, the one LL2 would
    // compute, from this snapshot at the request's time.
    const Value* stored = page.ids.empty() ? nullptr : &page.ids.front();
    serializer.write_composed(w, *sel.mode->resolved,
                              compose(resource.compose, *st.store, select_context.filter, stored));
    finish(response, ctx, rt, std::move(body));
    reusable(response, nullptr);  // its parts' conditions are not in resource_reads
    return response;
  }
  const auto page = list_page(q, st, lists);
  write_page(w, ctx, q, page.count, [&] { render(w, page); });
  finish(response, ctx, rt, std::move(body), page.count);
  reusable(response, sel.mode);
  return response;
}

// A read that failed (500, as Django answers an unhandled error) or ran out
// of its time budget (503 with Retry-After, rendered like any DRF error);
// `log` tells the server's error log why.
Response storage_failure(const Context& ctx, const Route& rt, const store::StoreError& e,
                         std::chrono::milliseconds budget) {
  Response response;
  if (e.cause() == store::StoreError::Cause::TimedOut) {
    response.status = 503;
    finish(response, ctx, rt,
           detail_body(fmt::format("The request took longer than the server's time budget "
                                   "({} ms); narrow it, or try again later.",
                                   budget.count())));
    response.headers.emplace_back("Retry-After", "1");
    response.log = fmt::format("query time budget of {} ms spent ({}), answered 503",
                               budget.count(), e.what());
    return response;
  }
  if (e.cause() == store::StoreError::Cause::Unavailable) {
    response.status = 503;
    finish(response, ctx, rt,
           detail_body("The database is unavailable right now; try again in a few seconds."));
    response.headers.emplace_back("Retry-After", "5");
    response.log = fmt::format("database unavailable, answered 503: {}", e.what());
    return response;
  }
  response.status = 500;
  response.content_type = "application/json";
  response.body = R"({"detail":"A server error occurred."})";
  response.log = fmt::format("storage error, answered 500: {}", e.what());
  return response;
}

// The request's path (decoded) and query, as handle() reads them.
Context request_context(const Request& request, const model::Catalog& catalog,
                        const std::string& public_url) {
  const size_t qmark = request.target.find('?');
  Context ctx{request,
              catalog,
              http::unquote(request.target.substr(0, qmark)),
              std::string(qmark == std::string_view::npos ? std::string_view()
                                                          : request.target.substr(qmark + 1)),
              {},
              {},
              Format::Json,
              0,
              {}};
  ctx.params = http::QueryParams::parse(ctx.query);
  ctx.base = public_url.empty() ? "http://" + std::string(request.host) : public_url;
  return ctx;
}

}  // namespace

Response Engine::handle(const Request& request) const {
  Context ctx = request_context(request, catalog_, options_.public_url);

  if (auto r = static_asset(ctx)) return std::move(*r);
  const Route rt = route(catalog_, ctx.path);
  // api-throttle exists only while throttling is on (the throttle answers it).
  if (rt.kind == Route::None || rt.kind == Route::ApiThrottle) return not_routed(ctx);
  if (rt.kind == Route::Health) return health_check(ctx, probe_->get(open_store_));
  if (rt.kind == Route::Live) return probe(ctx, nullptr);
  if (rt.kind == Route::Ready) {
    const auto database = probe_->get(open_store_);
    return probe(ctx, &database);
  }
  // A view that reads the database, on this thread's connection, within
  // the time budget.
  const auto read = [&](const auto& view) {
    try {
      ThreadState& st = state();  // opening a connection is not the query's time
      return view(st, query_deadline());
    } catch (const store::StoreError& e) {
      // A connection that failed is not trusted again: the next request
      // on this thread opens a new one.
      if (e.cause() != store::StoreError::Cause::TimedOut) thread_states().erase(serial_);
      return storage_failure(ctx, rt, e, options_.query_timeout);
    }
  };
  Response response;
  if (rt.kind == Route::Changes) {
    response = read([&](ThreadState& st, store::Deadline deadline) {
      return changes_view(request, ctx.query, ctx.base, *st.store, deadline, now());
    });
    conditional_get(request, response);
    return response;
  }
  if (rt.kind == Route::LivePage) {
    response = read([&](ThreadState& st, store::Deadline deadline) {
      return live_page(request, *st.store, deadline, catalog_.first().version().prefix);
    });
    conditional_get(request, response);
    return response;
  }
  if (rt.kind == Route::FeedSchema) {
    response = feed_schema_view(request, ctx.base);
    conditional_get(request, response);
    return response;
  }
  if (auto r = method_stage(ctx, rt)) return std::move(*r);
  if (auto r = negotiation_stage(ctx, rt)) return std::move(*r);
  switch (rt.kind) {
    case Route::Schema:
      response = schema_document(ctx, *rt.version, options_.public_url);
      break;
    case Route::Root:
      response = api_root(ctx, rt);
      break;
    default:
      response = read([&](ThreadState& st, store::Deadline deadline) {
        return resource_view(ctx, rt, st, now(), deadline, *lists_);
      });
      break;
  }
  conditional_get(request, response);
  response.omit_body = request.method == "HEAD";
  return response;
}

bool holds_ll2_data(store::Store& store) {
  for (const auto& r : model::registry().resources()) {
    if (r->kind->id_type == model::IdType::None) continue;
    store::ListQuery q;
    q.kind = r->kind;
    q.limit = 1;
    q.count = false;
    if (!store.list(q).ids.empty()) return true;
  }
  return false;
}

namespace {

// django-health-check's MainView: the media types of Accept by weight
// (stable), the first of HTML's or JSON's kinds decides; `format=json` wins.
enum class HealthFormat { Html, Json, NotAcceptable };

HealthFormat health_format(const http::QueryParams& params, std::string_view accept) {
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

// django-cors-headers' defaults.
constexpr const char* kCorsAllowHeaders =
    "accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, "
    "x-csrftoken, x-requested-with";
constexpr const char* kCorsAllowMethods = "DELETE, GET, OPTIONS, PATCH, POST, PUT";
constexpr const char* kCorsMaxAge = "86400";

// Django's patch_vary_headers: add a header name unless it is there already.
void add_vary(Response& r, std::string_view name) {
  for (auto& [key, value] : r.headers) {
    if (key != "Vary") continue;
    for (const std::string_view v : text::split_stripped(value, ',')) {
      if (std::equal(v.begin(), v.end(), name.begin(), name.end(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return;
    }
    value += ", ";
    value += name;
    return;
  }
  r.headers.emplace_back("Vary", std::string(name));
}

// The scheme and host[:port] of an origin, as urlsplit compares them.
std::string origin_key(std::string_view origin) {
  std::string out(origin);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

void Engine::apply_cors(const Request& request, Response& response) const {
  add_vary(response, "origin");
  if (request.origin.empty()) return;
  if (options_.cors_origins.empty()) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    const std::string key = origin_key(request.origin);
    if (std::find(options_.cors_origins.begin(), options_.cors_origins.end(), key) ==
        options_.cors_origins.end())
      return;
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(request.origin));
  }
  if (request.method == "OPTIONS") {
    response.headers.emplace_back("Access-Control-Allow-Headers", kCorsAllowHeaders);
    response.headers.emplace_back("Access-Control-Allow-Methods", kCorsAllowMethods);
    response.headers.emplace_back("Access-Control-Max-Age", kCorsMaxAge);
  }
}

// DRF's APIView.initial(): content negotiation, then authentication and
// throttling; so negotiation errors are not counted, and 405 (the handler
// lookup comes after) and OPTIONS are.
ThrottleScope Engine::throttle_scope(const Request& request) const {
  if (request.method == "OPTIONS" && request.preflight_method) return ThrottleScope::Exempt;
  Context ctx = request_context(request, catalog_, options_.public_url);
  if (ctx.path == kStylesheetPath) return ThrottleScope::Exempt;
  if (ctx.path == kChangeStreamPath) return ThrottleScope::Counted;  // once, when it opens
  const Route rt = route(catalog_, ctx.path);
  switch (rt.kind) {
    case Route::None:
    case Route::Health:
    case Route::Live:
    case Route::Ready:
    // ll2d's page and document: no DRF view, and nothing they read costs
    // (the page's own requests are counted as any client's).
    case Route::LivePage:
    case Route::FeedSchema:
      return ThrottleScope::Exempt;
    case Route::Changes:  // JSON whatever Accept says: no negotiation to fail
      return ThrottleScope::Counted;
    default:
      break;
  }
  if (negotiation_stage(ctx, rt)) return ThrottleScope::Exempt;
  return rt.kind == Route::ApiThrottle ? ThrottleScope::Status : ThrottleScope::Counted;
}

void Engine::read_store(const std::function<void(store::Store&, int64_t now)>& fn) const {
  try {
    ThreadState& st = state();
    const store::ReadSnapshot snapshot(*st.store, query_deadline());
    if (snapshot.error())
      throw store::StoreError(store::StoreError::Cause::Failed,
                              "starting a read: " + *snapshot.error());
    fn(*st.store, now());
  } catch (const store::StoreError& e) {
    if (e.cause() != store::StoreError::Cause::TimedOut) thread_states().erase(serial_);
    throw;
  }
}

store::Deadline Engine::query_deadline() const {
  if (options_.query_timeout.count() <= 0) return std::nullopt;
  return std::chrono::steady_clock::now() + options_.query_timeout;
}

std::string Engine::base_url(const Request& request) const {
  return options_.public_url.empty() ? "http://" + std::string(request.host) : options_.public_url;
}

Response Engine::render_for_view(const Request& request, int status, std::string json_body,
                                 std::vector<std::pair<std::string, std::string>> headers) const {
  Context ctx = request_context(request, catalog_, options_.public_url);
  const Route rt = route(catalog_, ctx.path);
  Response response;
  if (auto r = negotiation_stage(ctx, rt)) {
    response = std::move(*r);
  } else {
    response.status = status;
    finish(response, ctx, rt, std::move(json_body));
    for (auto& h : headers) response.headers.push_back(std::move(h));
    conditional_get(request, response);
  }
  response.omit_body = request.method == "HEAD";
  apply_cors(request, response);
  return response;
}

Response Engine::handle_with_cors(const Request& request) const {
  Response response;
  if (request.method == "OPTIONS" && request.preflight_method) {
    // A preflight is answered before any view: 200, empty (the middleware's
    // own HttpResponse), on any path.
    response.content_type = "text/html; charset=utf-8";
  } else {
    response = handle(request);
  }
  apply_cors(request, response);
  return response;
}

}  // namespace ll2::api
