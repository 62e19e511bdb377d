// `ll2d serve`: the LL2 API from a database, with the throttle, the
// background mirror (--sync-from) and the change feed's work beside it.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "api/engine.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "http/server.hpp"
#include "http/throttle.hpp"
#include "model/schema.hpp"
#include "notify/hooks.hpp"
#include "notify/worker.hpp"
#include "store/store.hpp"
#include "sync/syncer.hpp"
#include "util/datetime.hpp"

namespace ll2::cli {
namespace {

struct ServeOptions {
  explicit ServeOptions(const model::Catalog& served) : catalog(served) {}
  const model::Catalog& catalog;  // the versions served; the database holds the first's kinds
  std::string db = kDefaultDb;
  http::ServerOptions server;
  std::string public_url;
  size_t row_cache_entries = 0;
  size_t list_index_bytes = api::EngineOptions{}.list_index_bytes;
  size_t fragment_cache_bytes = api::EngineOptions{}.fragment_cache_bytes;
  std::string fixed_response_file;
  std::string now;
  std::vector<std::string> cors_origins;
  bool quiet = false;  // --no-access-log
  std::string log_format = "logfmt";
  int64_t query_timeout_ms = 2000;
  std::vector<std::string> replicas;
  bool read_only = false;
  int header_timeout = static_cast<int>(server.header_timeout.count());
  int idle_timeout = static_cast<int>(server.idle_timeout.count());
  int write_timeout = static_cast<int>(server.write_timeout.count());
  std::string anon_rate, key_rate;
  http::ThrottleOptions throttle;
  std::string sync_from;
  SyncArgs sync;
  std::string retention = "30d";
  std::string reminders = "24h,1h,10m";
  std::string hook_retry = "10s";
  int hook_attempts = 12;
  int hook_timeout = 10;
};

using Access = store::OpenOptions::Access;

// Fails early on a database that is missing, empty, or cannot be opened or
// upgraded. It is never created here, and it is opened read-only when this
// process cannot write it. The options every worker opens it with, or none.
std::optional<store::OpenOptions> open_options_for_serving(const ServeOptions& o) {
  // With --sync-from the mirror fills the database, so it may start empty.
  store::OpenOptions open_options{o.read_only ? Access::ReadOnly : Access::Auto,
                                  o.sync_from.empty()};
  auto opened = store::open_store(o.db, o.catalog.first(), open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d serve: {}\n", opened.error);
    return std::nullopt;
  }
  if (opened.read_only) {
    fmt::print(stderr, "ll2d serve: serving {} read-only{}\n", store::display_name(o.db),
               opened.note.empty() ? "" : " (" + opened.note + ")");
  }
  // An import that failed leaves a schema without data: serving it is
  // allowed (an import may follow), but not in silence.
  const bool holds_data = [&] {
    const store::ReadSnapshot snapshot(*opened.store);
    return !snapshot.error() && api::holds_ll2_data(*opened.store);
  }();
  if (o.sync_from.empty() && !holds_data) {
    fmt::print(stderr,
               "ll2d serve: note: {} holds no LL2 data yet: every list is empty and /readyz "
               "answers 503 until an import (ll2d import --db {} FILE...)\n",
               store::display_name(o.db), store::display_name(o.db));
  }
  open_options.access = opened.read_only ? Access::ReadOnly : Access::ReadWrite;
  return open_options;
}

// The engine's options, or none once a wrong --now is reported.
std::optional<api::EngineOptions> engine_options_for(ServeOptions& o) {
  api::EngineOptions engine_options{o.public_url, o.row_cache_entries, std::nullopt, {}};
  for (auto origin : o.cors_origins) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    engine_options.cors_origins.push_back(std::move(origin));
  }
  engine_options.query_timeout = std::chrono::milliseconds(o.query_timeout_ms);
  engine_options.list_index_bytes = o.list_index_bytes;
  engine_options.fragment_cache_bytes = o.fragment_cache_bytes;
  if (!o.fixed_response_file.empty()) {
    std::ifstream in(o.fixed_response_file, std::ios::binary);
    o.server.fixed_response.assign(std::istreambuf_iterator<char>(in), {});
  }
  engine_options.prepare_list_indexes = true;
  // Imports are announced on the primary; replicas cannot listen. A node
  // reading from replicas keeps no connection to the primary, so it has no
  // watcher: its cached answers are checked on a database thread.
  if (store::is_postgres_url(o.db) && o.replicas.empty())
    engine_options.generation_source = store::watch_postgres_generation(o.db);
  if (!o.now.empty()) {
    engine_options.now = datetime::parse_filter_datetime(o.now);
    if (!engine_options.now) {
      fmt::print(stderr, "ll2d serve: --now {}: not a date-time\n", o.now);
      return std::nullopt;
    }
  }
  return engine_options;
}

// Reads go to the replicas when there are any, each worker thread to the
// next one; a replica that cannot be used is skipped, and the primary
// serves when none can. Workers reconnect now and then, so reads return to
// a replica that came back.
std::unique_ptr<api::Engine> make_engine(const ServeOptions& o,
                                         const store::OpenOptions& open_options,
                                         api::EngineOptions engine_options) {
  auto next_replica = std::make_shared<std::atomic<size_t>>(0);
  if (!o.replicas.empty()) engine_options.reconnect_after = std::chrono::seconds(60);
  const model::Registry& schema = o.catalog.first();
  auto open = [db = o.db, &schema, open_options, replicas = o.replicas, next_replica] {
    const size_t first = next_replica->fetch_add(1);
    for (size_t i = 0; i < replicas.size(); ++i) {
      const std::string& replica = replicas[(first + i) % replicas.size()];
      auto opened = store::open_store(replica, schema, {Access::ReadOnly, /*must_exist=*/true});
      if (opened.store) return std::move(opened.store);
      fmt::print(stderr, "ll2d: replica unusable, reading elsewhere: {}\n", opened.error);
    }
    auto opened = store::open_store(db, schema, open_options);
    // A database that cannot be reached now is answered 503 until it can.
    if (opened.unavailable)
      throw store::StoreError(store::StoreError::Cause::Unavailable, opened.error);
    if (!opened.store) throw std::runtime_error(opened.error);
    return std::move(opened.store);
  };
  return std::make_unique<api::Engine>(o.catalog, open, engine_options);
}

// --anon-rate and --key-rate into the throttle's options; false once a
// wrong one is reported.
bool parse_rates(ServeOptions& o) {
  for (const auto& [flag, text, rate] :
       {std::tuple{"--anon-rate", &o.anon_rate, &o.throttle.anon_rate},
        std::tuple{"--key-rate", &o.key_rate, &o.throttle.key_rate}}) {
    if (text->empty()) continue;
    auto parsed = http::parse_rate(*text);
    if (auto* e = std::get_if<std::string>(&parsed)) {
      fmt::print(stderr, "ll2d serve: {} {}\n", flag, *e);
      return false;
    }
    *rate = std::get<http::Rate>(parsed);
  }
  return true;
}

// Throttling, when a rate is given: the keys are read from the database now
// and every second after (a connection of its own). False once a failure is
// reported; `throttle` stays empty without a rate.
bool start_throttle(ServeOptions& o, const store::OpenOptions& open_options,
                    std::unique_ptr<http::Throttle>& throttle) {
  if (!o.throttle.anon_rate && !o.throttle.key_rate) return true;
  auto key_store = std::make_shared<std::unique_ptr<store::Store>>();
  const model::Registry& schema = o.catalog.first();
  auto started = http::Throttle::start(o.throttle, [db = o.db, &schema, open_options, key_store] {
    if (!*key_store) {
      auto opened = store::open_store(db, schema, open_options);
      if (!opened.store) throw std::runtime_error(opened.error);
      *key_store = std::move(opened.store);
    }
    try {
      return (*key_store)->api_keys();
    } catch (...) {
      key_store->reset();  // opened again next time
      throw;
    }
  });
  if (auto* e = std::get_if<std::string>(&started)) {
    fmt::print(stderr, "ll2d serve: {}\n", *e);
    return false;
  }
  throttle = std::move(std::get<std::unique_ptr<http::Throttle>>(started));
  o.server.throttle = throttle.get();
  return true;
}

// --sync-from: the mirror runs beside the server, with its own connection;
// readers see each page as soon as it is committed. However serve ends, the
// mirror is stopped and waited for before what it uses goes.
struct Mirror {
  std::thread thread;
  int result = 0;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<sync::Client> client;
  std::unique_ptr<sync::Syncer> syncer;
  Mirror() = default;
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;
  ~Mirror() { stop(); }
  // Asks the mirror to stop and waits for it; true if it was running.
  bool stop() {
    if (!thread.joinable()) return false;
    g_sync_stop = true;
    thread.join();
    return true;
  }
};

// Starts the mirror when --sync-from is given; false once a failure is
// reported.
bool start_mirror(ServeOptions& o, const store::OpenOptions& open_options,
                  const store::OpenOptions& write_options, Mirror& mirror) {
  if (o.sync_from.empty()) return true;
  o.sync.upstream = o.sync_from;
  sync::SyncOptions options;
  if (auto e = sync_options(o.sync, options)) {
    fmt::print(stderr, "ll2d serve: {}\n", *e);
    return false;
  }
  if (open_options.access == Access::ReadOnly) {
    fmt::print(stderr, "ll2d serve: --sync-from needs a writable database\n");
    return false;
  }
  auto opened = store::open_store(o.db, o.catalog.first(), write_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d serve: --sync-from: {}\n", opened.error);
    return false;
  }
  mirror.store = std::move(opened.store);
  options.stop = &g_sync_stop;
  mirror.client = sync::make_curl_client(client_options(o.sync));
  mirror.syncer = std::make_unique<sync::Syncer>(o.catalog, *mirror.store, *mirror.client, options);
  mirror.thread = std::thread([&mirror] { mirror.result = mirror.syncer->run(); });
  return true;
}

// --reminders, --hook-retry and the other --hook options into the feed
// worker's options; none once a wrong one is reported.
std::optional<notify::WorkerOptions> feed_options(const ServeOptions& o) {
  const auto leads = notify::parse_reminders(o.reminders);
  if (!leads) {
    fmt::print(stderr, "ll2d serve: --reminders {}: expected leads such as 24h,1h,10m, or none\n",
               o.reminders);
    return std::nullopt;
  }
  const auto first_retry = sync::parse_duration(o.hook_retry);
  if (!first_retry || *first_retry <= 0) {
    fmt::print(stderr, "ll2d serve: --hook-retry {}: expected 10s, 1m, ...\n", o.hook_retry);
    return std::nullopt;
  }
  notify::WorkerOptions worker_options;
  worker_options.reminders = *leads;
  notify::DelivererOptions hook_options;
  hook_options.max_attempts = o.hook_attempts;
  hook_options.first_retry = *first_retry * 1000;
  hook_options.base = o.public_url;
  worker_options.hooks = hook_options;
  return worker_options;
}

// The feed's reminders and webhooks' deliveries, written by one node of
// those on the database. A node that reads from replicas keeps no
// connection to the primary: the nodes without --replica (any one of them,
// by the lease) do this work; on such a node, none.
std::unique_ptr<notify::Worker> start_feed_worker(const ServeOptions& o,
                                                  const store::OpenOptions& open_options,
                                                  const store::OpenOptions& write_options,
                                                  const std::optional<int64_t>& fixed_now,
                                                  notify::WorkerOptions worker_options) {
  if (open_options.access == Access::ReadOnly || !o.replicas.empty()) return nullptr;
  worker_options.hooks->post = notify::curl_poster(std::chrono::seconds(o.hook_timeout));
  if (fixed_now) {
    const int64_t fixed = *fixed_now;
    worker_options.clock = [fixed] { return fixed; };
  }
  return std::make_unique<notify::Worker>(
      [db = o.db, &schema = o.catalog.first(), write_options] {
        auto opened = store::open_store(db, schema, write_options);
        if (!opened.store) throw std::runtime_error(opened.error);
        return std::move(opened.store);
      },
      worker_options);
}

// The access log and the connection timeouts, as the options say.
void configure_server(ServeOptions& o) {
  o.server.access_log = !o.quiet;
  o.server.access_log_format =
      o.log_format == "json" ? http::AccessLogFormat::Json : http::AccessLogFormat::Logfmt;
  o.server.header_timeout = std::chrono::seconds(o.header_timeout);
  o.server.idle_timeout = std::chrono::seconds(o.idle_timeout);
  o.server.write_timeout = std::chrono::seconds(o.write_timeout);
  o.server.client_ip_header = o.throttle.client_ip_header;
}

// Serves until SIGINT/SIGTERM, then stops the mirror; serve's exit code.
int serve_until_stopped(ServeOptions& o, const api::Engine& engine, Mirror& mirror) {
  const int served = http::serve(engine, o.server, [&](uint16_t port) {
    // An IPv6 address is bracketed in a URL (RFC 3986 3.2.2).
    const bool v6 = o.server.host.find(':') != std::string::npos;
    fmt::print("ll2d: serving {} on http://{}{}{}:{}{}\n", store::display_name(o.db), v6 ? "[" : "",
               o.server.host, v6 ? "]" : "", port, o.catalog.first().version().prefix);
    std::fflush(stdout);
  });
  if (mirror.stop() && mirror.result == 2)
    fmt::print(stderr, "ll2d serve: the mirror could not run\n");
  return served;
}

int run_serve(ServeOptions& o) {
  const auto write_options = write_options_or_complain(o.retention);
  if (!write_options) return 2;
  // A hang-up (the terminal closed, a reload as nginx is sent one) must not
  // end the server; there is no configuration or log to reopen.
  std::signal(SIGHUP, SIG_IGN);
  const auto open_options = open_options_for_serving(o);
  if (!open_options) return 2;
  configure_server(o);
  const auto engine_options = engine_options_for(o);
  if (!engine_options) return 2;
  const auto engine = make_engine(o, *open_options, *engine_options);
  std::unique_ptr<http::Throttle> throttle;
  if (!parse_rates(o) || !start_throttle(o, *open_options, throttle)) return 2;
  const auto worker_options = feed_options(o);  // checked before anything starts
  if (!worker_options) return 2;
  Mirror mirror;
  if (!start_mirror(o, *open_options, *write_options, mirror)) return 2;
  const auto feed_worker =
      start_feed_worker(o, *open_options, *write_options, engine_options->now, *worker_options);
  return serve_until_stopped(o, *engine, mirror);
}

// --public-url is put in front of every path in a body, so it must be an
// absolute http(s) URL of a site, without a path of its own to double.
std::string check_public_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https")
    return "must start with http:// or https:// (e.g. https://ll.example.org)";
  const std::string rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.front() == '/') return "names no host (e.g. https://ll.example.org)";
  const auto slash = rest.find('/');
  if (slash != std::string::npos && slash + 1 < rest.size())
    return "must be scheme and host only; ll2d adds each API version's path itself";
  if (rest.find_first_of("?# ") != std::string::npos)
    return "must be scheme and host only (no query, fragment or space)";
  return {};
}

// The help lists the options in the order the add_*_options below add them.

void add_listening_options(CLI::App* serve, ServeOptions& o) {
  add_db_option(serve, o.db);
  serve->add_option("--host", o.server.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", o.server.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  serve
      ->add_option("--public-url", o.public_url,
                   "Scheme and host for URLs in responses, e.g. https://ll.example.org")
      ->check(CLI::Validator(check_public_url, "URL"));
  serve->add_option("--threads", o.server.threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve
      ->add_option("--db-threads", o.server.db_threads,
                   "Threads that answer requests from the database (0: as many as --threads)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--max-queued-requests", o.server.max_queued_requests,
                   "Requests that may wait for a database thread; beyond, 503 (0: 64 per "
                   "database thread)")
      ->capture_default_str();
  http::ServerOptions& server = o.server;
  serve
      ->add_option_function<int>(
          "--drain-timeout",
          [&server](int seconds) { server.drain_timeout = std::chrono::seconds(seconds); },
          "Seconds requests in flight get to finish on SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber)
      ->default_str(std::to_string(server.drain_timeout.count()));
}

void add_memory_options(CLI::App* serve, ServeOptions& o) {
  serve->add_option("--row-cache-entries", o.row_cache_entries,
                    "Rows and id lists each worker thread caches (0: 200000)");
  serve
      ->add_option("--list-index-memory", o.list_index_bytes,
                   "Memory for the in-memory list indexes: search, deep pages, counts (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--fragment-cache-memory", o.fragment_cache_bytes,
                   "Memory for objects rendered once for every database thread (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--response-cache-memory", o.server.response_cache_bytes,
                   "Memory for whole responses answered on the I/O threads (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--fixed-response", o.fixed_response_file,
                   "Benchmarks: answer every request with this file's bytes (the transport's "
                   "ceiling)")
      ->check(CLI::ExistingFile)
      ->group("");  // not for users
}

void add_answer_options(CLI::App* serve, ServeOptions& o) {
  serve->add_option("--now", o.now,
                    "A fixed current time for upcoming/previous (ISO 8601; for tests and "
                    "reproducible recordings)");
  serve
      ->add_option("--cors-origins", o.cors_origins,
                   "Origins browsers may read responses from (scheme://host[:port], "
                   "comma-separated; default: every origin, as LL2)")
      ->delimiter(',');
  serve->add_flag("--no-access-log", o.quiet, "Do not log one line per request");
  serve
      ->add_option("--log-format", o.log_format,
                   "The access log's lines: logfmt (key=value pairs) or json (one object a line)")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  serve
      ->add_option("--query-timeout-ms", o.query_timeout_ms,
                   "Time budget of one request's database reads, in milliseconds; past it the "
                   "request is answered 503 (0: no budget)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve->add_option("--replica", o.replicas,
                    "A read-only replica of the --db PostgreSQL database to read from (repeat for "
                    "several); the primary then only upgrades the schema, and serves reads when "
                    "no replica can");
  serve->add_flag("--read-only", o.read_only,
                  "Open the database read-only (automatic when the file or its directory "
                  "cannot be written); the schema must be current");
  serve
      ->add_option("--allowed-hosts", o.server.allowed_hosts,
                   "Host names served, as Django's ALLOWED_HOSTS: name, .domain (and its "
                   "subdomains) or *")
      ->delimiter(',')
      ->capture_default_str();
}

void add_connection_limits(CLI::App* serve, ServeOptions& o) {
  serve
      ->add_option("--max-connections", o.server.max_connections,
                   "Open connections (default: what the open-file limit, raised to its hard "
                   "value, leaves room for; never more)")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-output-bytes", o.server.max_output_bytes,
                   "Response bytes in flight, all connections together (0: no limit)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve->add_option("--max-header-bytes", o.server.max_header_bytes, "Request line and headers")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--max-body-bytes", o.server.max_body_bytes, "Request body")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", o.header_timeout,
                   "Seconds a client has to send a request's header (and then its body)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", o.idle_timeout,
                   "Seconds a keep-alive connection may wait for its next request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--write-timeout", o.write_timeout,
                   "Seconds a client may take none of a response before it is dropped")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

void add_throttle_options(CLI::App* serve, ServeOptions& o) {
  serve->add_option("--anon-rate", o.anon_rate,
                    "Throttle clients without a key, per IP: N/PERIOD (15/hour, 100/m, 5/10s); "
                    "default: throttling off");
  serve->add_option("--key-rate", o.key_rate,
                    "Throttle each API key (Authorization: Token KEY) without a rate of its own "
                    "(ll2d keys add --rate); default: keys are not limited");
  serve->add_option("--client-ip-header", o.throttle.client_ip_header,
                    "Header a trusted proxy sets to the client's address, for the throttle and "
                    "the access log (e.g. X-Forwarded-For; its last entry counts); default: the "
                    "connection's address only");
  serve
      ->add_option("--throttle-max-clients", o.throttle.max_clients,
                   "Anonymous clients whose requests are remembered; past it the least recently "
                   "seen is forgotten")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// The mirror (--sync-from) and the change feed's work: reminders, webhooks.
void add_background_options(CLI::App* serve, ServeOptions& o) {
  serve->add_option("--sync-from", o.sync_from,
                    "Mirror this LL2 into --db in the background while serving (as ll2d sync)");
  add_sync_options(serve, o.sync, "sync-");
  add_retention_option(serve, o.retention);
  serve
      ->add_option("--reminders", o.reminders,
                   "When the change feed reminds of a launch's NET (an event's date) before it: "
                   "a list of leads, or none")
      ->capture_default_str();
  serve
      ->add_option("--hook-retry", o.hook_retry,
                   "How long before a failed webhook delivery is tried again (doubles each time, "
                   "up to an hour)")
      ->capture_default_str();
  serve
      ->add_option("--hook-attempts", o.hook_attempts,
                   "Attempts before a webhook delivery is given up (dead)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--hook-timeout", o.hook_timeout, "Seconds a webhook receiver may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

}  // namespace

Command add_serve(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<ServeOptions>(catalog);
  auto* serve = app.add_subcommand("serve", "Serve the LL2 API from a database");
  add_listening_options(serve, *options);
  add_memory_options(serve, *options);
  add_answer_options(serve, *options);
  add_connection_limits(serve, *options);
  add_throttle_options(serve, *options);
  add_background_options(serve, *options);
  return {serve, [options] { return run_serve(*options); }};
}

}  // namespace ll2::cli
