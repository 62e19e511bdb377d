// The Engine: its lifecycle, each worker thread's connection, and handle()
// running a request's stages in order (routing.cpp, stages.cpp,
// resource_view.cpp, probes.cpp; CORS in cors.cpp).
#include "api/engine.hpp"

#include <chrono>
#include <unordered_map>

#include "api/changes_view.hpp"
#include "api/feed_schema.hpp"
#include "api/fragment_cache.hpp"
#include "api/html.hpp"
#include "api/list_index.hpp"
#include "api/live_page.hpp"
#include "api/params.hpp"
#include "api/probes.hpp"
#include "api/request_context.hpp"
#include "api/resource_view.hpp"
#include "api/stages.hpp"
#include "util/query_string.hpp"

namespace ll2::api {

using namespace stages;  // NOLINT(google-build-using-namespace): what handle() runs

namespace {

std::atomic<uint64_t> next_serial{1};

}  // namespace

Engine::Engine(const model::Catalog& catalog, StoreOpener open_store, EngineOptions options)
    : open_store_(std::move(open_store)),
      options_(std::move(options)),
      catalog_(catalog),
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
      const auto params = text::QueryParams::parse(searched ? "search=a" : "");
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

Route Engine::route_of(const Request& request) const {
  return route(catalog_, request_context(request, catalog_, options_.public_url).path);
}

Route Engine::routed(const Request& request, const Context& ctx) const {
  return request.route != nullptr ? *request.route : route(catalog_, ctx.path);
}

Response Engine::handle(const Request& request) const {
  Context ctx = request_context(request, catalog_, options_.public_url);

  if (auto r = static_asset(ctx)) return std::move(*r);
  const Route rt = routed(request, ctx);
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
    response = feed_schema_view(request, catalog_.first(), ctx.base);
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

// DRF's APIView.initial(): content negotiation, then authentication and
// throttling; so negotiation errors are not counted, and 405 (the handler
// lookup comes after) and OPTIONS are.
ThrottleScope Engine::throttle_scope(const Request& request) const {
  if (request.method == "OPTIONS" && request.preflight_method) return ThrottleScope::Exempt;
  Context ctx = request_context(request, catalog_, options_.public_url);
  if (ctx.path == kStylesheetPath) return ThrottleScope::Exempt;
  if (ctx.path == kChangeStreamPath) return ThrottleScope::Counted;  // once, when it opens
  const Route rt = routed(request, ctx);
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
  const Route rt = routed(request, ctx);
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

}  // namespace ll2::api
