// The request handler: a pure function of a request (plus the database),
// with no knowledge of sockets, so tests can call it directly.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/declarations.hpp"
#include "api/reads.hpp"
#include "store/store.hpp"

namespace ll2::api {

class FragmentCache;
class ListIndexes;

namespace stages {
struct Route;
struct Context;
}  // namespace stages

struct Request {
  std::string_view method;
  std::string_view target;              // path and query as received
  std::string_view host;                // the Host header
  std::string_view accept;              // the Accept header
  std::string_view if_none_match = {};  // for cached static assets
  std::string_view origin = {};         // CORS: the Origin header
  // CORS: whether Access-Control-Request-Method was sent (a preflight).
  bool preflight_method = false;
  // Where the path leads, when the caller has routed it already (the server
  // does for the throttle): the engine does not route it again.
  const stages::Route* route = nullptr;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  std::string body;
  bool omit_body = false;  // HEAD: headers as for GET, no body
  // For the server's error log, not the client: why this response is a 500
  // or 503 (a storage error's cause, a spent time budget). Usually empty.
  std::string log;
  // Set when the response is a function of the request and the database at
  // this generation (and the time, before `expires`), so it may be reused
  // until the generation changes.
  std::optional<uint64_t> generation;
  // With `generation`: the instant (microseconds, UTC) from which the time
  // may change the answer (an upcoming list: a NET passes); 0: never.
  int64_t expires = 0;
  // With `generation`: what the answer read (api/reads.hpp), so it stays
  // reusable after writes that touch none of it. Null: any write ends it.
  std::shared_ptr<const std::vector<std::string>> reads;
};

// Whether an If-None-Match `header` names `etag` (`*`, or a list compared
// weakly), as Django's ConditionalGetMiddleware reads it.
bool etag_matches(std::string_view header, std::string_view etag);

// DRF's error body: {"detail": message}.
std::string detail_body(std::string_view message);

// For ll2d's own read-only pages (/ll2d/...): nullopt for GET and HEAD,
// otherwise DRF's 405 (`Method "X" not allowed.`) with `Allow: GET, HEAD`.
std::optional<Response> refuse_unless_read(const Request& request);

struct EngineOptions {
  // Scheme and host (and optional path prefix) for absolute URLs; when empty
  // they come from the request's Host header over http.
  std::string public_url;
  // Bound on the rows and id lists each worker thread caches (0: default).
  size_t row_cache_entries = 0;
  // A fixed "now" (microseconds since the epoch, UTC) for upcoming/previous,
  // so tests and recordings are reproducible; unset: the real time.
  std::optional<int64_t> now;
  // Origins allowed to read responses from a browser (django-cors-headers'
  // CORS_ALLOWED_ORIGINS, "scheme://host[:port]"); empty: every origin, as
  // LL2 allows (CORS_ORIGIN_ALLOW_ALL).
  std::vector<std::string> cors_origins;
  // The time budget of a request's database reads; past it the request is
  // answered 503 (with Retry-After) and the worker goes on. 0: no budget.
  std::chrono::milliseconds query_timeout{2000};
  // Each worker thread's connection is opened again after this long (with
  // an empty row cache), so it follows where the opener sends it now (a
  // replica that came back). 0: kept until it fails.
  std::chrono::seconds reconnect_after{0};
  // Memory for the list indexes shared by the database threads (search,
  // deep pages and counts from memory: list_index.hpp); 0: none.
  size_t list_index_bytes = size_t{512} << 20;
  // Build every resource's default list index at startup (serve), rather
  // than at the first request that could use it.
  bool prepare_list_indexes = false;
  // Where generation_now() reads the generation; unset: the calling
  // thread's own connection (SQLite's one-row read). PostgreSQL nodes set
  // store::watch_postgres_generation.
  std::function<std::optional<uint64_t>()> generation_source;
  // Memory for rendered objects shared by the worker threads
  // (fragment_cache.hpp); 0: none kept.
  size_t fragment_cache_bytes = size_t{128} << 20;
};

// What DRF's throttling makes of a request (http/throttle.hpp): Exempt for
// what no DRF view answers (no route, health probes, CORS preflights, the
// stylesheet) or what fails content negotiation first; Status for
// a version's api-throttle route (authenticated, never counted); else Counted.
enum class ThrottleScope { Exempt, Counted, Status };

// Whether the database holds objects of some endpoint (of the store's
// schema), read in the caller's snapshot: /readyz is 503 without, and serve
// says so at start.
bool holds_ll2_data(store::Store& store);

class Engine {
 public:
  using StoreOpener = std::function<std::unique_ptr<store::Store>()>;
  // Serves the versions of `catalog` (which outlives the engine) from the
  // stores `open_store` opens.
  Engine(const model::Catalog& catalog, StoreOpener open_store, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const model::Catalog& catalog() const { return catalog_; }
  Response handle(const Request& request) const;
  // The same through django-cors-headers' middleware: preflights answered
  // here, CORS headers and `Vary: origin` on every response.
  Response handle_with_cors(const Request& request) const;
  // Adds the CORS headers django-cors-headers would to a response (also one
  // the transport made itself, such as a 500).
  void apply_cors(const Request& request, Response& response) const;

  // Returns when no list index is being built (tests, the generator).
  void wait_for_list_indexes() const;
  // Lists answered from the list indexes so far.
  uint64_t list_index_answers() const;
  // The database's generation now, when this thread can read it without a
  // round trip (store::Store::generation_now); for answers cached elsewhere.
  std::optional<uint64_t> generation_now() const;
  // The time requests are answered at (EngineOptions::now, or the clock),
  // microseconds since the epoch: what a cached answer's `expires` is
  // compared with.
  int64_t now() const;
  // Calls `fn` with the database's generation now and each kind's
  // generation in it, read on this thread's connection (once per
  // generation), and returns what it returns; nullopt when they cannot be
  // read. For revalidating answers cached elsewhere (api/reads.hpp).
  std::optional<Response> with_generations(
      const std::function<std::optional<Response>(uint64_t, const KindGenerations&)>& fn) const;
  ThrottleScope throttle_scope(const Request& request) const;
  // Where the request's path leads (api/routing.hpp), for Request::route.
  stages::Route route_of(const Request& request) const;
  // Calls `fn` with this thread's connection, in a read snapshot within the
  // time budget, and the time now (what api/changes_view.hpp's stream reads
  // through). A storage failure is thrown (store::StoreError); the
  // connection is then opened afresh next time.
  void read_store(const std::function<void(store::Store&, int64_t now)>& fn) const;
  // scheme://host of the URLs in answers to `request` (--public-url, or Host).
  std::string base_url(const Request& request) const;
  // A response of the view the request routes to, rendered as DRF renders
  // what a view raises (JSON, or the browsable page for format=api), with
  // `headers` added and CORS applied: the throttle's 401, 429 and figures.
  Response render_for_view(const Request& request, int status, std::string json_body,
                           std::vector<std::pair<std::string, std::string>> headers) const;

  struct ThreadState;
  struct DatabaseProbe;

 private:
  ThreadState& state() const;
  // The request's route: as carried (Request::route), else found now.
  stages::Route routed(const Request& request, const stages::Context& ctx) const;
  // When a request's reads must give up (--query-timeout-ms from now).
  store::Deadline query_deadline() const;

  StoreOpener open_store_;
  EngineOptions options_;
  const model::Catalog& catalog_;
  uint64_t serial_;  // tells apart the per-thread state of several engines
  std::unique_ptr<ListIndexes> lists_;
  std::shared_ptr<FragmentCache> fragments_;  // null: none kept
  std::unique_ptr<DatabaseProbe> probe_;      // /health_check/ and /readyz
};

}  // namespace ll2::api
