// ll2d: a self-hostable, wire-compatible server for the Launch Library 2 API.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/engine.hpp"
#include "http/server.hpp"
#include "ingest/generator.hpp"
#include "ingest/importer.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "util/datetime.hpp"

namespace fs = std::filesystem;

namespace {

// The .json files below `dir`, in name order (a subdirectory's files where
// its name sorts), each with the kind its objects are: `root` when given,
// else the route the path below `top` names, else none (their urls tell).
std::optional<std::string> walk(const fs::path& top, const fs::path& dir,
                                const ll2::model::Kind* root,
                                std::vector<std::pair<std::string, const ll2::model::Kind*>>& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) return fmt::format("cannot read {}: {}", dir.string(), ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  const ll2::model::Kind* kind = root;
  if (kind == nullptr) {
    const std::string route = fs::relative(dir, top, ec).generic_string();
    if (const auto* r = ll2::model::registry().find_resource(route)) kind = r->kind;
  }
  for (const auto& entry : entries) {
    if (entry.is_directory(ec)) {
      if (auto e = walk(top, entry.path(), root, out)) return e;
    } else if (entry.is_regular_file(ec) && entry.path().extension() == ".json") {
      out.emplace_back(entry.path().string(), kind);
    }
  }
  return std::nullopt;
}

int run_import(const std::string& db, const std::string& resource,
               const std::vector<std::string>& inputs) {
  // --resource names an endpoint by its LL2 path (launches, config/orbits,
  // launches/upcoming); without it each object's `url` tells.
  const ll2::model::Kind* root = nullptr;
  if (!resource.empty()) {
    const auto& registry = ll2::model::registry();
    const ll2::model::Resource* r = registry.find_resource(resource);
    if (r == nullptr) r = registry.find_resource_by_url("/2.3.0/" + resource + "/0/");
    if (r == nullptr) {
      fmt::print(stderr, "ll2d import: unknown --resource {}\n", resource);
      return 2;
    }
    root = r->kind;
  }
  auto opened = ll2::store::open_store(db);
  if (!opened.store) {
    fmt::print(stderr, "ll2d import: {}\n", opened.error);
    return 2;
  }
  // A directory is walked in name order, subdirectories included. Below it,
  // a subdirectory named after an LL2 route (launches/, config/orbits/, as
  // `generate` writes them) says which resource its files hold, since not
  // every view prints a url; elsewhere each object's url tells.
  std::vector<std::pair<std::string, const ll2::model::Kind*>> files;
  for (const auto& p : inputs) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.emplace_back(p, root);
      continue;
    }
    if (auto e = walk(p, p, root, files)) {
      fmt::print(stderr, "ll2d import: {}\n", *e);
      return 2;
    }
  }
  int failed = 0;
  int64_t objects = 0;
  const auto started = std::chrono::steady_clock::now();
  // Files are validated on a second thread and written several to a
  // transaction; each line is printed once its file is committed.
  std::vector<ll2::ingest::ImportFile> work;
  work.reserve(files.size());
  for (const auto& [file, kind] : files) work.push_back({file, kind});
  ll2::ingest::import_files(
      *opened.store, work, [&](size_t i, const ll2::ingest::FileOutcome& outcome) {
        if (const auto* e = std::get_if<ll2::ingest::ImportError>(&outcome.result)) {
          ++failed;
          fmt::print(stderr, "ll2d import: rejected {} (nothing from it was written)\n",
                     e->to_string());
          return;
        }
        const auto& s = std::get<ll2::ingest::ImportStats>(outcome.result);
        objects += s.objects;
        const double secs = outcome.seconds;
        fmt::print(stderr, "[{}/{}] {}: {} events, {} objects ({:.0f} objects/s), {} files left\n",
                   i + 1, files.size(), work[i].path, s.events, s.objects,
                   secs > 0 ? static_cast<double>(s.objects) / secs : 0.0, files.size() - i - 1);
      });
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(stderr, "ll2d import: {} of {} files imported, {} objects in {:.2f}s{}\n",
             files.size() - failed, files.size(), objects, total,
             failed ? fmt::format(", {} rejected", failed) : "");
  return failed == 0 ? 0 : 1;
}

// `ll2d check`: what an operator needs to know before serving a file.
int run_check(const std::string& db, bool quick) {
  const auto report = ll2::store::check_store(db, quick);
  const std::string name = ll2::store::display_name(db);
  fmt::print("{}\n", name);
  if (!report.integrity.empty())
    fmt::print("  integrity ({}): {}\n", quick ? "quick_check" : "integrity_check",
               report.integrity == "ok" ? "ok" : "DAMAGED");
  if (report.schema_version >= 0)
    fmt::print("  schema version: {} (this ll2d: {})\n", report.schema_version,
               ll2::store::kSchemaVersion);
  if (!report.rows.empty()) {
    fmt::print("  rows per table:\n");
    int64_t total = 0;
    size_t empty = 0;
    for (const auto& [table, count] : report.rows) {
      if (count == 0) {
        ++empty;
      } else if (count < 0) {
        fmt::print("    {:<44} unreadable\n", table);
      } else {
        fmt::print("    {:<44} {:>10}\n", table, count);
        total += count;
      }
    }
    fmt::print("    {} rows in {} tables ({} empty, not listed)\n", total, report.rows.size(),
               empty);
  }
  if (report.problems.empty()) {
    fmt::print("ll2d check: {} is healthy\n", name);
    return 0;
  }
  std::fflush(stdout);
  for (const auto& p : report.problems) fmt::print(stderr, "ll2d check: {}: {}\n", name, p);
  return 1;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"ll2d: a fast, self-hostable Launch Library 2 (2.3.0) API server"};
  app.require_subcommand(1);

  std::string db = "ll2d.sqlite3";
  auto* serve = app.add_subcommand("serve", "Serve the LL2 API from a database");
  ll2::http::ServerOptions server;
  std::string public_url;
  constexpr const char* kDbHelp =
      "Database: a SQLite file (or sqlite:FILE), or postgresql://user@host:port/name";
  serve->add_option("--db", db, kDbHelp)->capture_default_str();
  serve->add_option("--host", server.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", server.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  serve->add_option("--public-url", public_url,
                    "Scheme and host for URLs in responses, e.g. https://ll.example.org");
  serve->add_option("--threads", server.threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve
      ->add_option("--db-threads", server.db_threads,
                   "Threads that answer requests from the database (0: as many as --threads)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--max-queued-requests", server.max_queued_requests,
                   "Requests that may wait for a database thread; beyond, 503 (0: 64 per "
                   "database thread)")
      ->capture_default_str();
  serve
      ->add_option_function<int>(
          "--drain-timeout",
          [&server](int seconds) { server.drain_timeout = std::chrono::seconds(seconds); },
          "Seconds requests in flight get to finish on SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber)
      ->default_str(std::to_string(server.drain_timeout.count()));
  size_t row_cache_entries = 0;
  serve->add_option("--row-cache-entries", row_cache_entries,
                    "Rows and id lists each worker thread caches (0: 200000)");
  std::string now;
  serve->add_option("--now", now,
                    "A fixed current time for upcoming/previous (ISO 8601; for tests and "
                    "reproducible recordings)");
  std::vector<std::string> cors_origins;
  serve
      ->add_option("--cors-origins", cors_origins,
                   "Origins browsers may read responses from (scheme://host[:port], "
                   "comma-separated; default: every origin, as LL2)")
      ->delimiter(',');
  bool quiet = false;
  serve->add_flag("--no-access-log", quiet, "Do not log one line per request");
  int64_t query_timeout_ms = 2000;
  serve
      ->add_option("--query-timeout-ms", query_timeout_ms,
                   "Time budget of one request's database reads, in milliseconds; past it the "
                   "request is answered 503 (0: no budget)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  std::vector<std::string> replicas;
  serve->add_option("--replica", replicas,
                    "A read-only replica of the --db PostgreSQL database to read from (repeat for "
                    "several); the primary then only upgrades the schema, and serves reads when "
                    "no replica can");
  bool read_only = false;
  serve->add_flag("--read-only", read_only,
                  "Open the database read-only (automatic when the file or its directory "
                  "cannot be written); the schema must be current");
  serve
      ->add_option("--allowed-hosts", server.allowed_hosts,
                   "Host names served, as Django's ALLOWED_HOSTS: name, .domain (and its "
                   "subdomains) or *")
      ->delimiter(',')
      ->capture_default_str();
  serve
      ->add_option("--max-connections", server.max_connections,
                   "Open connections (default 1024, or fewer to fit the open-file limit)")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-output-bytes", server.max_output_bytes,
                   "Response bytes in flight, all connections together (0: no limit)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve->add_option("--max-header-bytes", server.max_header_bytes, "Request line and headers")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--max-body-bytes", server.max_body_bytes, "Request body")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  int header_timeout = static_cast<int>(server.header_timeout.count());
  int idle_timeout = static_cast<int>(server.idle_timeout.count());
  int write_timeout = static_cast<int>(server.write_timeout.count());
  serve
      ->add_option("--header-timeout", header_timeout,
                   "Seconds a client has to send a request's header (and then its body)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", idle_timeout,
                   "Seconds a keep-alive connection may wait for its next request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve
      ->add_option("--write-timeout", write_timeout,
                   "Seconds a client may take none of a response before it is dropped")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* import =
      app.add_subcommand("import", "Import LL2 JSON files or directories into a database");
  std::vector<std::string> inputs;
  import->add_option("--db", db, std::string(kDbHelp) + " (created if missing)")
      ->capture_default_str();
  std::string resource;
  import->add_option("--resource", resource,
                     "The endpoint the files come from, as LL2 names it (launches, "
                     "config/orbits); default: each object's url tells");
  import->add_option("paths", inputs, "Files or directories of LL2 JSON")->required();

  auto* check = app.add_subcommand(
      "check", "Check a database: integrity, schema version, rows per table (exit 1 if unhealthy)");
  check->add_option("--db", db, std::string(kDbHelp) + " (opened read-only)")
      ->capture_default_str();
  bool quick = false;
  check->add_flag("--quick", quick,
                  "PRAGMA quick_check instead of integrity_check (faster; skips index contents)");

  auto* gen = app.add_subcommand(
      "generate", "Write a deterministic synthetic LL2 world as pages of every endpoint");
  ll2::ingest::GenerateOptions gen_options;
  gen->add_option("--events", gen_options.events,
                  "Number of docking events; everything else is scaled to it")
      ->capture_default_str();
  gen->add_option("--seed", gen_options.seed, "Random seed")->capture_default_str();
  gen->add_option("--out", gen_options.out_dir, "Output directory")->required();
  gen->add_option("--only", gen_options.only,
                  "Write pages of these routes only (docking_events, launches, config/orbits, ...)")
      ->delimiter(',');
  gen->add_option("--db", gen_options.db_path,
                  "Build the world in this new SQLite file and keep it (default: a temporary "
                  "file in --out)");
  bool gen_quiet = false;
  gen->add_flag("--quiet", gen_quiet, "No progress lines on stderr");

  CLI11_PARSE(app, argc, argv);

  if (*import) return run_import(db, resource, inputs);
  if (*check) return run_check(db, quick);
  if (*gen) {
    const auto started = std::chrono::steady_clock::now();
    if (!gen_quiet) {
      gen_options.progress = [started](const std::string& line) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fmt::print(stderr, "ll2d generate: [{:.1f}s] {}\n", secs, line);
      };
    }
    auto result = ll2::ingest::generate(gen_options);
    if (auto* e = std::get_if<std::string>(&result)) {
      fmt::print(stderr, "ll2d generate: {}\n", *e);
      return 1;
    }
    const auto& s = std::get<ll2::ingest::GenerateStats>(result);
    fmt::print(
        "ll2d generate: wrote {} pages ({} routes) of a SYNTHETIC world ({} objects; {} docking "
        "events, seed {}) to {}.\n"
        "This data is made up for testing and benchmarks; it is not real LL2 data.\n",
        s.pages, s.routes, s.objects, gen_options.events, gen_options.seed, gen_options.out_dir);
    return 0;
  }

  // serve: fail early on a database that is missing, empty, or cannot be
  // opened or upgraded. It is never created here, and it is opened
  // read-only when this process cannot write it.
  using Access = ll2::store::OpenOptions::Access;
  ll2::store::OpenOptions open_options{read_only ? Access::ReadOnly : Access::Auto, true};
  {
    auto opened = ll2::store::open_store(db, open_options);
    if (!opened.store) {
      fmt::print(stderr, "ll2d serve: {}\n", opened.error);
      return 2;
    }
    if (opened.read_only) {
      fmt::print(stderr, "ll2d serve: serving {} read-only{}\n", ll2::store::display_name(db),
                 opened.note.empty() ? "" : " (" + opened.note + ")");
    }
    // Every worker opens it the same way.
    open_options.access = opened.read_only ? Access::ReadOnly : Access::ReadWrite;
  }
  server.access_log = !quiet;
  ll2::api::EngineOptions engine_options{public_url, row_cache_entries, std::nullopt, {}};
  for (auto origin : cors_origins) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    engine_options.cors_origins.push_back(std::move(origin));
  }
  engine_options.query_timeout = std::chrono::milliseconds(query_timeout_ms);
  if (!now.empty()) {
    engine_options.now = ll2::datetime::parse_filter_datetime(now);
    if (!engine_options.now) {
      fmt::print(stderr, "ll2d serve: --now {}: not a date-time\n", now);
      return 2;
    }
  }
  server.header_timeout = std::chrono::seconds(header_timeout);
  server.idle_timeout = std::chrono::seconds(idle_timeout);
  server.write_timeout = std::chrono::seconds(write_timeout);
  // Reads go to the replicas when there are any, each worker thread to the
  // next one; a replica that cannot be used is skipped, and the primary
  // serves when none can. Workers reconnect now and then, so reads return to
  // a replica that came back.
  auto next_replica = std::make_shared<std::atomic<size_t>>(0);
  if (!replicas.empty()) engine_options.reconnect_after = std::chrono::seconds(60);
  ll2::api::Engine engine(
      [db, open_options, replicas, next_replica] {
        const size_t first = next_replica->fetch_add(1);
        for (size_t i = 0; i < replicas.size(); ++i) {
          const std::string& replica = replicas[(first + i) % replicas.size()];
          auto opened = ll2::store::open_store(
              replica, {ll2::store::OpenOptions::Access::ReadOnly, /*must_exist=*/true});
          if (opened.store) return std::move(opened.store);
          fmt::print(stderr, "ll2d: replica unusable, reading elsewhere: {}\n", opened.error);
        }
        auto opened = ll2::store::open_store(db, open_options);
        // A database that cannot be reached now is answered 503 until it can.
        if (opened.unavailable)
          throw ll2::store::StoreError(ll2::store::StoreError::Cause::Unavailable, opened.error);
        if (!opened.store) throw std::runtime_error(opened.error);
        return std::move(opened.store);
      },
      engine_options);
  return ll2::http::serve(engine, server, [&](uint16_t port) {
    fmt::print("ll2d: serving {} on http://{}:{}/2.3.0/\n", ll2::store::display_name(db),
               server.host, port);
    std::fflush(stdout);
  });
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Only the unexpected gets here (e.g. the database vanished mid-run).
    fmt::print(stderr, "ll2d: fatal: {}\n", e.what());
    return 1;
  }
}
