// ll2d: a self-hostable, wire-compatible server for the Launch Library 2 API.
#include <fmt/format.h>
#include <openssl/rand.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
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
#include "feed/changes.hpp"
#include "http/server.hpp"
#include "http/throttle.hpp"
#include "ingest/generator.hpp"
#include "ingest/importer.hpp"
#include "notify/hooks.hpp"
#include "notify/worker.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "sync/syncer.hpp"
#include "util/datetime.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <unistd.h>

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

// Import progress: the bytes of the files gone through (their sizes as stat
// tells) and the objects read from them; the ETA goes by the byte rate.
struct ImportProgress {
  ll2::progress::Reporter reporter;
  std::vector<uintmax_t> before;  // bytes of the files before each, then the total
  uintmax_t furthest = 0;         // the reader's; a file read again does not go back
  std::vector<int64_t> file_objects;
  int64_t objects = 0;

  ImportProgress(bool forced, const std::vector<std::string>& paths)
      : reporter("ll2d import", ll2::progress::Reporter::mode_for_stderr(forced)),
        before(paths.size() + 1, 0),
        file_objects(paths.size(), 0) {
    for (size_t i = 0; i < paths.size(); ++i) {
      std::error_code ec;
      const uintmax_t size = fs::file_size(paths[i], ec);
      before[i + 1] = before[i] + (ec ? 0 : size);
    }
    reporter.start("", static_cast<int64_t>(before.back()), {"bytes", true});
  }
  // On the reader thread.
  void reading(size_t file, size_t bytes, int64_t n) {
    furthest = std::max<uintmax_t>(furthest, before[file] + bytes);
    if (n > file_objects[file]) {
      objects += n - file_objects[file];
      file_objects[file] = n;
    }
    reporter.update(static_cast<int64_t>(furthest), fmt::format(", {} objects", objects));
  }
};

// Generate's progress: the world's objects, then the pages; a phase's last
// figure is its "done" line once the next begins.
struct GenerateProgress {
  ll2::progress::Reporter& reporter;
  std::shared_ptr<std::string> phase = std::make_shared<std::string>();
  std::shared_ptr<std::atomic<int64_t>> last = std::make_shared<std::atomic<int64_t>>(0);

  void operator()(std::string_view now, int64_t done, int64_t total) {
    if (now != *phase) {  // on the generating thread, before any other
      if (!phase->empty()) reporter.finish(fmt::format("{} objects", last->load()));
      *phase = now;
      reporter.start(*phase, total, {*phase == "world" ? "objects" : "pages", false});
    }
    *last = done;  // pages come from several threads
    reporter.update(done);
  }
};

int run_import(const std::string& db, const std::string& resource,
               const std::vector<std::string>& inputs, bool show_progress,
               const ll2::store::OpenOptions& open_options) {
  // --resource names an endpoint by its LL2 path (launches, config/orbits,
  // launches/upcoming); without it each object's `url` tells.
  const ll2::model::Kind* root = nullptr;
  if (!resource.empty()) {
    const auto& registry = ll2::model::registry();
    const ll2::model::Resource* r = registry.find_resource(resource);
    if (const ll2::model::Route* route = registry.find_route(resource); r == nullptr && route)
      r = route->resource;
    if (r == nullptr) {
      fmt::print(stderr, "ll2d import: unknown --resource {}\n", resource);
      return 2;
    }
    root = r->kind;
  }
  // Paths that cannot be read are named before anything is created or
  // written, so a typo leaves no empty database behind.
  for (const auto& p : inputs) {
    if (::access(p.c_str(), R_OK) != 0) {
      fmt::print(stderr, "ll2d import: {}: {}; nothing was imported\n", p, std::strerror(errno));
      return 2;
    }
  }
  auto opened = ll2::store::open_store(db, open_options);
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
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.first);
  ImportProgress progress(show_progress, paths);
  ll2::ingest::ImportOptions import_options;
  if (progress.reporter.on())
    import_options.reading = [&progress](size_t file, size_t bytes, int64_t n) {
      progress.reading(file, bytes, n);
    };
  // Files are validated on a second thread and written several to a
  // transaction; each line is printed once its file is committed.
  std::vector<ll2::ingest::ImportFile> work;
  work.reserve(files.size());
  for (const auto& [file, kind] : files) work.push_back({file, kind});
  // Into an empty database, the indexes only reads use are built once at
  // the end rather than kept current through every insert.
  const auto deferred = opened.store->defer_read_indexes();
  if (const auto* e = std::get_if<std::string>(&deferred)) {
    fmt::print(stderr, "ll2d import: {}\n", *e);
    return 2;
  }
  ll2::ingest::import_files(
      *opened.store, work,
      [&](size_t i, const ll2::ingest::FileOutcome& outcome) {
        if (const auto* e = std::get_if<ll2::ingest::ImportError>(&outcome.result)) {
          ++failed;
          progress.reporter.note(fmt::format(
              "ll2d import: rejected {} (nothing from it was written)", e->to_string()));
          return;
        }
        const auto& s = std::get<ll2::ingest::ImportStats>(outcome.result);
        objects += s.objects;
        const double secs = outcome.seconds;
        progress.reporter.note(fmt::format(
            "[{}/{}] {}: {} events, {} objects ({:.0f} objects/s), {} files left", i + 1,
            files.size(), work[i].path, s.events, s.objects,
            secs > 0 ? static_cast<double>(s.objects) / secs : 0.0, files.size() - i - 1));
      },
      import_options);
  progress.reporter.finish(fmt::format(
      "{} read, {} of {} files imported, {} objects",
      ll2::progress::format_amount(static_cast<double>(progress.before.back()), {"bytes", true}),
      files.size() - failed, files.size(), objects));
  if (const size_t n = std::get<size_t>(deferred); n > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    if (auto e = opened.store->build_deferred_indexes()) {
      // The data is committed; the next writable open builds what is missing.
      fmt::print(stderr, "ll2d import: building the indexes failed: {}\n", *e);
      return 1;
    }
    fmt::print(stderr, "ll2d import: built {} indexes in {:.2f}s\n", n,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
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
  for (const auto& n : report.notes) fmt::print("ll2d check: {}: note: {}\n", name, n);
  if (report.problems.empty()) {
    fmt::print("ll2d check: {} is healthy\n", name);
    return 0;
  }
  std::fflush(stdout);
  for (const auto& p : report.problems) fmt::print(stderr, "ll2d check: {}: {}\n", name, p);
  return 1;
}

// The current time as ISO 8601 UTC, to the second.
std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// `ll2d keys add|list|revoke`: API keys for throttled serving. A key is 32
// random bytes in hex; only its SHA-256 is stored, so it is printed once.
// `ll2d hooks`: what the command line says.
struct HookArgs {
  std::string url, types, kinds, secret, state;
  std::vector<std::string> filters;
  int64_t id = 0;
  int64_t limit = 50;
};

std::string hook_query(const HookArgs& args) {
  std::vector<std::string> parts;
  if (!args.types.empty()) parts.push_back("types=" + args.types);
  if (!args.kinds.empty()) parts.push_back("kinds=" + args.kinds);
  for (const auto& f : args.filters) parts.push_back(f);
  return fmt::format("{}", fmt::join(parts, "&"));
}

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int run_hooks(const std::string& command, const std::string& db, const HookArgs& args) {
  auto opened = ll2::store::open_store(db, {ll2::store::OpenOptions::Access::ReadWrite, true});
  if (!opened.store) {
    fmt::print(stderr, "ll2d hooks: {}\n", opened.error);
    return 2;
  }
  ll2::store::Store& store = *opened.store;
  const auto fail = [](const std::string& e) {
    fmt::print(stderr, "ll2d hooks: {}\n", e);
    return 1;
  };
  if (command == "add") {
    auto added =
        ll2::notify::add_hook(store, args.url, hook_query(args), args.secret, now_micros());
    if (auto* e = std::get_if<std::string>(&added)) return fail(*e);
    const auto& hook = std::get<ll2::notify::Hook>(added);
    fmt::print("hook {}: {} ({}), from change {} on\n", hook.id, hook.url,
               hook.query.empty() ? "every change" : hook.query, hook.cursor);
    return 0;
  }
  if (command == "remove") {
    auto removed = ll2::notify::remove_hook(store, args.id);
    if (auto* e = std::get_if<std::string>(&removed)) return fail(*e);
    if (!std::get<bool>(removed)) return fail(fmt::format("no hook {}", args.id));
    fmt::print("hook {} removed\n", args.id);
    return 0;
  }
  if (command == "list") {
    auto hooks = ll2::notify::list_hooks(store);
    if (auto* e = std::get_if<std::string>(&hooks)) return fail(*e);
    for (const auto& h : std::get<std::vector<ll2::notify::Hook>>(hooks)) {
      fmt::print("{}\t{}\t{}\tsigned: {}\tplanned up to change {}\n", h.id, h.url,
                 h.query.empty() ? "every change" : h.query, h.secret.empty() ? "no" : "yes",
                 h.cursor);
    }
    return 0;
  }
  auto deliveries = ll2::notify::list_deliveries(store, args.id, args.state, args.limit);
  if (auto* e = std::get_if<std::string>(&deliveries)) return fail(*e);
  for (const auto& d : std::get<std::vector<ll2::notify::Delivery>>(deliveries)) {
    fmt::print("hook {}\tchange {}\t{}\t{} attempts\tstatus {}\t{}\n", d.hook, d.seq, d.state,
               d.attempts, d.status, d.error);
  }
  return 0;
}

int run_keys(const std::string& command, const std::string& db, const std::string& label,
             const std::string& rate, const std::string& prefix) {
  if (!rate.empty()) {
    const auto parsed = ll2::http::parse_rate(rate);
    if (const auto* e = std::get_if<std::string>(&parsed)) {
      fmt::print(stderr, "ll2d keys: --rate {}\n", *e);
      return 2;
    }
  }
  using Access = ll2::store::OpenOptions::Access;
  auto opened = ll2::store::open_store(
      db, {command == "list" ? Access::Auto : Access::ReadWrite, /*must_exist=*/true});
  if (!opened.store) {
    fmt::print(stderr, "ll2d keys: {}\n", opened.error);
    return 2;
  }
  auto& store = *opened.store;
  if (command == "add") {
    unsigned char bytes[32];
    // A new prefix clashing with an existing one is refused by the table; a
    // fresh key is tried then (a clash is a 1-in-4-billion event).
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (RAND_bytes(bytes, sizeof bytes) != 1) {
        fmt::print(stderr, "ll2d keys: no random bytes from OpenSSL\n");
        return 1;
      }
      std::string key;
      for (const unsigned char b : bytes) key += fmt::format("{:02x}", b);
      const ll2::store::ApiKey row{
          key.substr(0, 8), ll2::http::sha256_hex(key), label, utc_now(), rate, {}};
      const auto error = store.add_api_key(row);
      if (!error) {
        fmt::print("{}\n", key);
        std::fflush(stdout);
        fmt::print(stderr,
                   "ll2d keys: added key {}{}{}; this is the only time it is shown (only its "
                   "hash is stored). Clients send it as `Authorization: Token KEY`; a running "
                   "server accepts it within a second.\n",
                   row.prefix, label.empty() ? "" : " (" + label + ")",
                   rate.empty() ? "" : ", rate " + rate);
        return 0;
      }
      if (attempt == 2) {
        fmt::print(stderr, "ll2d keys: cannot add the key: {}\n", *error);
        return 1;
      }
    }
  }
  if (command == "revoke") {
    const auto result = store.revoke_api_key(prefix, utc_now());
    if (const auto* e = std::get_if<std::string>(&result)) {
      fmt::print(stderr, "ll2d keys: cannot revoke {}: {}\n", prefix, *e);
      return 1;
    }
    if (!std::get<bool>(result)) {
      fmt::print(stderr, "ll2d keys: no active key has the prefix {} (see ll2d keys list)\n",
                 prefix);
      return 1;
    }
    fmt::print("ll2d keys: revoked {}; a running server refuses it within a second\n", prefix);
    return 0;
  }
  std::vector<ll2::store::ApiKey> keys;
  try {
    keys = store.api_keys();
  } catch (const ll2::store::StoreError& e) {
    fmt::print(stderr, "ll2d keys: cannot read the keys: {}\n", e.what());
    return 1;
  }
  fmt::print("{:<10} {:<20} {:<14} {:<30} {}\n", "PREFIX", "CREATED", "RATE", "LABEL", "STATUS");
  for (const auto& k : keys)
    fmt::print("{:<10} {:<20} {:<14} {:<30} {}\n", k.prefix, k.created,
               k.rate.empty() ? "(--key-rate)" : k.rate, k.label,
               k.revoked.empty() ? "active" : "revoked " + k.revoked);
  return 0;
}

std::atomic<bool> g_sync_stop{false};

// `ll2d sync` and `serve --sync-from`: what the command line says.
struct SyncArgs {
  std::string upstream;
  std::string token;
  std::string calls = "15/hour";
  std::vector<std::string> resources;
  std::string refresh_every = "1h";
  std::string rewalk_every = "7d";
  int timeout = 60;
  int64_t max_page_bytes = 64 << 20;
};

ll2::sync::ClientOptions client_options(const SyncArgs& args) {
  ll2::sync::ClientOptions o;
  o.token = args.token;
  o.timeout = std::chrono::seconds(args.timeout);
  o.max_body_bytes = args.max_page_bytes;
  o.stop = &g_sync_stop;
  return o;
}

// --changes-retention: how long the change log keeps entries (0: none are
// written).
constexpr const char* kRetentionHelp =
    "How long the change log (/ll2d/changes/) keeps what this command changes: 30d, 12h, 90m; "
    "0 logs nothing";

void add_retention_option(CLI::App* cmd, std::string& retention) {
  cmd->add_option("--changes-retention", retention, kRetentionHelp)->capture_default_str();
}

// Sets `options`' retention from the option's text; an error message, or nothing.
std::optional<std::string> set_retention(const std::string& text,
                                         ll2::store::OpenOptions& options) {
  if (text == "0") {
    options.changes_retention = std::chrono::seconds(0);
    return std::nullopt;
  }
  const auto d = ll2::sync::parse_duration(text);
  if (!d || *d < 1000)
    return "--changes-retention " + text + ": expected 30d, 12h, 90m, 3600s or 0";
  options.changes_retention = std::chrono::seconds(*d / 1000);
  return std::nullopt;
}

// `ll2d changes`: the change log as JSON lines, oldest first.
int run_changes(const std::string& db, const ll2::feed::ChangeParams& params,
                const std::string& public_url) {
  ll2::store::OpenOptions open_options;
  open_options.access = ll2::store::OpenOptions::Access::Auto;
  open_options.must_exist = true;
  auto opened = ll2::store::open_store(db, open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d changes: {}\n", opened.error);
    return 2;
  }
  auto printed = ll2::feed::print_changes(*opened.store, params, public_url, stdout);
  if (auto* problems = std::get_if<ll2::feed::QueryProblems>(&printed)) {
    for (const auto& [name, messages] : *problems) {
      for (const auto& m : messages) fmt::print(stderr, "ll2d changes: --{}: {}\n", name, m);
    }
    return 2;
  }
  return 0;
}

// Parses the options into `options`; an error message, or nothing.
std::optional<std::string> sync_options(const SyncArgs& args, ll2::sync::SyncOptions& options) {
  const auto rate = ll2::sync::parse_rate(args.calls);
  if (!rate) return "--calls " + args.calls + ": expected N/hour, N/day, N/min or N/Ss (30/10s)";
  const auto refresh = ll2::sync::parse_duration(args.refresh_every);
  const auto rewalk = ll2::sync::parse_duration(args.rewalk_every);
  if (!refresh) return "--refresh-every " + args.refresh_every + ": expected 90s, 15m, 2h or 7d";
  if (!rewalk) return "--rewalk-every " + args.rewalk_every + ": expected 90s, 15m, 2h or 7d";
  if (args.upstream.rfind("http://", 0) != 0 && args.upstream.rfind("https://", 0) != 0)
    return "--upstream " + ll2::text::mask_url_password(args.upstream) +
           ": expected an http:// or https:// URL";
  options.upstream = args.upstream;
  options.rate = *rate;
  options.resources = args.resources;
  options.refresh_every = *refresh;
  options.rewalk_every = *rewalk;
  return std::nullopt;
}

int run_sync(const std::string& db, const SyncArgs& args, bool once, bool status, bool reset_budget,
             const ll2::store::OpenOptions& open_options) {
  auto opened = ll2::store::open_store(db, open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d sync: {}\n", opened.error);
    return 2;
  }
  ll2::sync::SyncOptions options;
  if (status || reset_budget) {
    options.upstream = "http://unused";
  } else if (auto e = sync_options(args, options)) {
    fmt::print(stderr, "ll2d sync: {}\n", *e);
    return 2;
  }
  options.resources = args.resources;
  options.once = once;
  options.stop = &g_sync_stop;
  auto client = ll2::sync::make_curl_client(client_options(args));
  ll2::sync::Syncer syncer(*opened.store, *client, options);
  if (reset_budget) {
    if (auto e = syncer.reset_budget()) {
      fmt::print(stderr, "ll2d sync: {}\n", *e);
      return 2;
    }
    fmt::print("ll2d sync: the saved waits are forgotten (the calls made stay counted)\n");
    return 0;
  }
  if (status) {
    fmt::print("{}", syncer.status());
    return 0;
  }
  // SIGINT/SIGTERM end the run between two calls (a kill at any other
  // moment loses nothing either; this is only tidier).
  std::signal(SIGINT, [](int) { g_sync_stop = true; });
  std::signal(SIGTERM, [](int) { g_sync_stop = true; });
  return syncer.run();
}

void add_sync_options(CLI::App* cmd, SyncArgs& args, const std::string& prefix) {
  cmd->add_option("--" + prefix + "token", args.token,
                  "LL2 API key, sent as `Authorization: Token KEY` (or env LL2D_SYNC_TOKEN)")
      ->envname("LL2D_SYNC_TOKEN");
  cmd->add_option("--" + prefix + "calls", args.calls,
                  "Call budget: N/hour, N/day, N/min or N/Ss (never more calls than this in "
                  "any such window)")
      ->capture_default_str();
  cmd->add_option("--" + prefix + "resources", args.resources,
                  "Mirror only these routes (launches,agencies,config/orbits; default: all)")
      ->delimiter(',');
  cmd->add_option("--" + prefix + "refresh-every", args.refresh_every,
                  "How often the upcoming lists and what changed (last_updated) are re-read")
      ->capture_default_str();
  cmd->add_option("--" + prefix + "rewalk-every", args.rewalk_every,
                  "How often every endpoint is walked again whole (finds deletions)")
      ->capture_default_str();
  cmd->add_option("--" + prefix + "timeout", args.timeout, "Seconds one upstream call may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--" + prefix + "max-page-bytes", args.max_page_bytes,
                  "Largest upstream answer (its body, decoded); a larger one is abandoned")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// `ll2d --version`: what was built, from which commit, how.
std::string version_line() {
  return fmt::format("ll2d {} (commit {}, {} build; serves LL2 {})", LL2D_VERSION, LL2D_COMMIT,
                     LL2D_BUILD_TYPE, ll2::model::catalog().names());
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
    return "must be scheme and host only; ll2d serves under /2.3.0/ itself";
  if (rest.find_first_of("?# ") != std::string::npos)
    return "must be scheme and host only (no query, fragment or space)";
  return {};
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"ll2d: a fast, self-hostable Launch Library 2 (2.3.0) API server"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());

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
  serve
      ->add_option("--public-url", public_url,
                   "Scheme and host for URLs in responses, e.g. https://ll.example.org")
      ->check(CLI::Validator(check_public_url, "URL"));
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
  size_t list_index_bytes = ll2::api::EngineOptions{}.list_index_bytes;
  serve
      ->add_option("--list-index-memory", list_index_bytes,
                   "Memory for the in-memory list indexes: search, deep pages, counts (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  size_t fragment_cache_bytes = ll2::api::EngineOptions{}.fragment_cache_bytes;
  serve
      ->add_option("--fragment-cache-memory", fragment_cache_bytes,
                   "Memory for objects rendered once for every database thread (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--response-cache-memory", server.response_cache_bytes,
                   "Memory for whole responses answered on the I/O threads (0: none)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  std::string fixed_response_file;
  serve
      ->add_option("--fixed-response", fixed_response_file,
                   "Benchmarks: answer every request with this file's bytes (the transport's "
                   "ceiling)")
      ->check(CLI::ExistingFile)
      ->group("");  // not for users
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
  std::string log_format = "logfmt";
  serve
      ->add_option("--log-format", log_format,
                   "The access log's lines: logfmt (key=value pairs) or json (one object a line)")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
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
                   "Open connections (default: what the open-file limit, raised to its hard "
                   "value, leaves room for; never more)")
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

  std::string anon_rate, key_rate;
  ll2::http::ThrottleOptions throttle_options;
  serve->add_option("--anon-rate", anon_rate,
                    "Throttle clients without a key, per IP: N/PERIOD (15/hour, 100/m, 5/10s); "
                    "default: throttling off");
  serve->add_option("--key-rate", key_rate,
                    "Throttle each API key (Authorization: Token KEY) without a rate of its own "
                    "(ll2d keys add --rate); default: keys are not limited");
  serve->add_option("--client-ip-header", throttle_options.client_ip_header,
                    "Header a trusted proxy sets to the client's address, for the throttle and "
                    "the access log (e.g. X-Forwarded-For; its last entry counts); default: the "
                    "connection's address only");
  serve
      ->add_option("--throttle-max-clients", throttle_options.max_clients,
                   "Anonymous clients whose requests are remembered; past it the least recently "
                   "seen is forgotten")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* keys = app.add_subcommand("keys", "Manage API keys for throttled serving");
  keys->require_subcommand(1);
  std::string key_label, key_own_rate, key_prefix;
  auto* keys_add = keys->add_subcommand("add", "Create a key and print it (only this once)");
  keys_add->add_option("--db", db, kDbHelp)->capture_default_str();
  keys_add->add_option("--label", key_label, "Who or what the key is for");
  keys_add->add_option("--rate", key_own_rate,
                       "This key's own rate (N/PERIOD); default: serve's --key-rate");
  auto* keys_list = keys->add_subcommand("list", "List keys: prefix, created, rate, label, status");
  keys_list->add_option("--db", db, kDbHelp)->capture_default_str();
  auto* keys_revoke = keys->add_subcommand("revoke", "Revoke a key by its prefix");
  keys_revoke->add_option("--db", db, kDbHelp)->capture_default_str();
  keys_revoke->add_option("prefix", key_prefix, "The key's prefix, as keys list shows it")
      ->required();

  auto* import =
      app.add_subcommand("import", "Import LL2 JSON files or directories into a database");
  std::vector<std::string> inputs;
  auto* import_db = import->add_option("--db", db, std::string(kDbHelp) + " (created if missing)")
                        ->capture_default_str();
  std::string resource;
  import->add_option("--resource", resource,
                     "The endpoint the files come from, as LL2 names it (launches, "
                     "config/orbits); default: each object's url tells");
  import->add_option("paths", inputs, "Files or directories of LL2 JSON")->required();
  std::string retention = "30d";
  add_retention_option(import, retention);
  bool import_progress = false;
  import->add_flag(
      "--progress", import_progress,
      "A progress line (bytes, objects, rate, ETA) every second on stderr, also "
      "when it is not a terminal (on a terminal it is always shown, redrawn in place)");

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
  gen->add_option("--threads", gen_options.threads,
                  "Threads rendering pages (each a fixed share of every route's pages)")
      ->check(CLI::PositiveNumber);
  std::string gen_now;
  gen->add_option("--now", gen_now,
                  "The world's \"now\" (ISO 8601, or `now`): its dates move with it in whole "
                  "days, so upcoming lists have data at any date (default: 2025-06-01T00:00:00Z)");
  bool gen_quiet = false;
  gen->add_flag("--quiet", gen_quiet, "No stage or progress lines on stderr");
  bool gen_progress = false;
  gen->add_flag("--progress", gen_progress,
                "A progress line (objects, then pages, with rate and ETA) every second on stderr, "
                "also when it is not a terminal (on a terminal it is shown unless --quiet, "
                "redrawn in place)");

  auto* sync = app.add_subcommand(
      "sync", "Mirror a live LL2 into a database, inside its rate limit, and keep it fresh");
  sync->add_option("--db", db, std::string(kDbHelp) + " (created if missing)")
      ->capture_default_str();
  SyncArgs sync_args;
  sync->add_option("--upstream", sync_args.upstream,
                   "The LL2 to mirror, e.g. https://ll.thespacedevs.com");
  add_sync_options(sync, sync_args, "");
  add_retention_option(sync, retention);
  bool sync_once = false;
  sync->add_flag("--once", sync_once,
                 "Do what is due (the initial load, or one refresh), then exit");
  bool sync_status = false;
  sync->add_flag("--status", sync_status,
                 "Print what is mirrored, how fresh, and the next planned call; no call is made");
  bool sync_reset_budget = false;
  sync->add_flag("--reset-budget", sync_reset_budget,
                 "Forget the saved waits (Retry-After, back-off, endpoints given up); the calls "
                 "made stay counted. No call is made");

  std::string sync_from;
  SyncArgs serve_sync_args;
  serve->add_option("--sync-from", sync_from,
                    "Mirror this LL2 into --db in the background while serving (as ll2d sync)");
  add_sync_options(serve, serve_sync_args, "sync-");
  add_retention_option(serve, retention);
  std::string reminders = "24h,1h,10m";
  serve
      ->add_option("--reminders", reminders,
                   "When the change feed reminds of a launch's NET (an event's date) before it: "
                   "a list of leads, or none")
      ->capture_default_str();

  std::string hook_retry = "10s";
  int hook_attempts = 12;
  int hook_timeout = 10;
  serve
      ->add_option("--hook-retry", hook_retry,
                   "How long before a failed webhook delivery is tried again (doubles each time, "
                   "up to an hour)")
      ->capture_default_str();
  serve
      ->add_option("--hook-attempts", hook_attempts,
                   "Attempts before a webhook delivery is given up (dead)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--hook-timeout", hook_timeout, "Seconds a webhook receiver may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* hooks = app.add_subcommand("hooks", "Manage webhooks: POSTs of what the change log says");
  hooks->require_subcommand(1);
  HookArgs hook_args;
  auto* hooks_add =
      hooks->add_subcommand("add", "Add a webhook; it receives what is logged from now on");
  hooks_add->add_option("--db", db, kDbHelp)->capture_default_str();
  hooks_add->add_option("--url", hook_args.url, "Where to POST (http:// or https://)")->required();
  hooks_add->add_option("--types", hook_args.types,
                        "Only entries of these types (launch.status_changed,launch.reminder)");
  hooks_add->add_option("--kinds", hook_args.kinds, "Only these kinds (launch,event)");
  hooks_add->add_option("--filter", hook_args.filters,
                        "A launch filter, NAME=VALUE (lsp__id=121); repeatable");
  hooks_add->add_option("--secret", hook_args.secret,
                        "Sign each POST with HMAC-SHA256 of this secret (X-Ll2d-Signature-256)");
  auto* hooks_list = hooks->add_subcommand("list", "List webhooks and their deliveries' states");
  hooks_list->add_option("--db", db, kDbHelp)->capture_default_str();
  auto* hooks_remove = hooks->add_subcommand("remove", "Remove a webhook and its deliveries");
  hooks_remove->add_option("--db", db, kDbHelp)->capture_default_str();
  hooks_remove->add_option("id", hook_args.id, "The webhook's id, as list shows it")->required();
  auto* hooks_deliveries = hooks->add_subcommand(
      "deliveries", "List deliveries, newest first (dead ones: --state dead)");
  hooks_deliveries->add_option("--db", db, kDbHelp)->capture_default_str();
  hooks_deliveries->add_option("--hook", hook_args.id, "Only this webhook's");
  hooks_deliveries->add_option("--state", hook_args.state, "pending, delivered or dead");
  hooks_deliveries->add_option("--limit", hook_args.limit, "At most this many")
      ->capture_default_str();

  auto* changes = app.add_subcommand(
      "changes", "Print the change log (what imports and syncs changed) as JSON lines");
  changes->add_option("--db", db, std::string(kDbHelp) + " (opened read-only)")
      ->capture_default_str();
  std::string changes_since, changes_limit, changes_kinds, changes_types, changes_id;
  changes->add_option("--since", changes_since, "Entries after this sequence number (default 0)");
  changes->add_option("--limit", changes_limit, "At most this many entries (default: all)");
  changes->add_option("--kinds", changes_kinds, "Only these kinds (launch,event,...)");
  changes->add_option("--types", changes_types,
                      "Only entries of these types (launch.net_changed,launch.status_changed)");
  changes->add_option("--id", changes_id, "Only this object's entries");
  std::string changes_url;
  changes->add_option("--public-url", changes_url,
                      "Scheme and host for the objects' urls (default: paths)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; a wrong argument exits
    // 2, as other Unix tools do (CLI11's own codes are 100 and more).
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*hooks) {
    const char* command = *hooks_add      ? "add"
                          : *hooks_remove ? "remove"
                          : *hooks_list   ? "list"
                                          : "deliveries";
    return run_hooks(command, db, hook_args);
  }
  if (*keys) {
    const char* command = *keys_add ? "add" : *keys_revoke ? "revoke" : "list";
    return run_keys(command, db, key_label, key_own_rate, key_prefix);
  }
  ll2::store::OpenOptions write_options;
  if (auto e = set_retention(retention, write_options)) {
    fmt::print(stderr, "ll2d: {}\n", *e);
    return 2;
  }
  if (*changes) {
    return run_changes(db, {changes_since, changes_limit, changes_kinds, changes_types, changes_id},
                       changes_url);
  }
  if (*sync) {
    if (!sync_status && !sync_reset_budget && sync_args.upstream.empty()) {
      fmt::print(stderr, "ll2d sync: --upstream URL is required (or --status, --reset-budget)\n");
      return 2;
    }
    return run_sync(db, sync_args, sync_once, sync_status, sync_reset_budget, write_options);
  }
  if (*import) {
    // A database made where nobody looks is worse than a question.
    if (import_db->count() == 0) {
      std::error_code ec;
      fmt::print(stderr, "ll2d import: no --db given: importing into {}\n",
                 (fs::current_path(ec) / db).string());
    }
    return run_import(db, resource, inputs, import_progress, write_options);
  }
  if (*check) return run_check(db, quick);
  if (*gen) {
    if (gen_now == "now") {
      gen_options.now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    } else if (!gen_now.empty()) {
      gen_options.now = ll2::datetime::parse_filter_datetime(gen_now);
      if (!gen_options.now) {
        fmt::print(stderr, "ll2d generate: --now {}: not a date-time\n", gen_now);
        return 2;
      }
    }
    const auto started = std::chrono::steady_clock::now();
    // --quiet leaves out the stage lines, and progress unless --progress.
    ll2::progress::Reporter reporter("ll2d generate",
                                     gen_quiet && !gen_progress
                                         ? ll2::progress::Reporter::Mode::Off
                                         : ll2::progress::Reporter::mode_for_stderr(gen_progress));
    if (!gen_quiet) {
      gen_options.progress = [started, &reporter](const std::string& line) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        reporter.note(fmt::format("ll2d generate: [{:.1f}s] {}", secs, line));
      };
    }
    if (reporter.on()) gen_options.advance = GenerateProgress{reporter};
    auto result = ll2::ingest::generate(gen_options);
    if (auto* e = std::get_if<std::string>(&result)) {
      reporter.note(fmt::format("ll2d generate: {}", *e));
      return 1;
    }
    const auto& s = std::get<ll2::ingest::GenerateStats>(result);
    reporter.finish(fmt::format("{} pages of {} routes", s.pages, s.routes));
    fmt::print(
        "ll2d generate: wrote {} pages ({} routes) of a SYNTHETIC world ({} objects; {} docking "
        "events, seed {}) to {}.\n"
        "This data is made up for testing and benchmarks; it is not real LL2 data.\n",
        s.pages, s.routes, s.objects, gen_options.events, gen_options.seed, gen_options.out_dir);
    return 0;
  }

  // serve: a hang-up (the terminal closed, a reload as nginx is sent one)
  // must not end the server; there is no configuration or log to reopen.
  std::signal(SIGHUP, SIG_IGN);
  // serve: fail early on a database that is missing, empty, or cannot be
  // opened or upgraded. It is never created here, and it is opened
  // read-only when this process cannot write it.
  using Access = ll2::store::OpenOptions::Access;
  // With --sync-from the mirror fills the database, so it may start empty.
  ll2::store::OpenOptions open_options{read_only ? Access::ReadOnly : Access::Auto,
                                       sync_from.empty()};
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
    // An import that failed leaves a schema without data: serving it is
    // allowed (an import may follow), but not in silence.
    const bool holds_data = [&] {
      const ll2::store::ReadSnapshot snapshot(*opened.store);
      return !snapshot.error() && ll2::api::holds_ll2_data(*opened.store);
    }();
    if (sync_from.empty() && !holds_data) {
      fmt::print(stderr,
                 "ll2d serve: note: {} holds no LL2 data yet: every list is empty and /readyz "
                 "answers 503 until an import (ll2d import --db {} FILE...)\n",
                 ll2::store::display_name(db), ll2::store::display_name(db));
    }
    // Every worker opens it the same way.
    open_options.access = opened.read_only ? Access::ReadOnly : Access::ReadWrite;
  }
  server.access_log = !quiet;
  server.access_log_format =
      log_format == "json" ? ll2::http::AccessLogFormat::Json : ll2::http::AccessLogFormat::Logfmt;
  ll2::api::EngineOptions engine_options{public_url, row_cache_entries, std::nullopt, {}};
  for (auto origin : cors_origins) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    engine_options.cors_origins.push_back(std::move(origin));
  }
  engine_options.query_timeout = std::chrono::milliseconds(query_timeout_ms);
  engine_options.list_index_bytes = list_index_bytes;
  engine_options.fragment_cache_bytes = fragment_cache_bytes;
  if (!fixed_response_file.empty()) {
    std::ifstream in(fixed_response_file, std::ios::binary);
    server.fixed_response.assign(std::istreambuf_iterator<char>(in), {});
  }
  engine_options.prepare_list_indexes = true;
  // Imports are announced on the primary; replicas cannot listen.
  if (ll2::store::is_postgres_url(db))
    engine_options.generation_source = ll2::store::watch_postgres_generation(db);
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
  // Throttling, when a rate is given: the keys are read from the database
  // now and every second after (a connection of its own).
  std::unique_ptr<ll2::http::Throttle> throttle;
  for (const auto& [flag, text, rate] :
       {std::tuple{"--anon-rate", &anon_rate, &throttle_options.anon_rate},
        std::tuple{"--key-rate", &key_rate, &throttle_options.key_rate}}) {
    if (text->empty()) continue;
    auto parsed = ll2::http::parse_rate(*text);
    if (auto* e = std::get_if<std::string>(&parsed)) {
      fmt::print(stderr, "ll2d serve: {} {}\n", flag, *e);
      return 2;
    }
    *rate = std::get<ll2::http::Rate>(parsed);
  }
  if (throttle_options.anon_rate || throttle_options.key_rate) {
    auto key_store = std::make_shared<std::unique_ptr<ll2::store::Store>>();
    auto started = ll2::http::Throttle::start(throttle_options, [db, open_options, key_store] {
      if (!*key_store) {
        auto opened = ll2::store::open_store(db, open_options);
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
      return 2;
    }
    throttle = std::move(std::get<std::unique_ptr<ll2::http::Throttle>>(started));
    server.throttle = throttle.get();
  }
  server.client_ip_header = throttle_options.client_ip_header;
  // --sync-from: the mirror runs beside the server, with its own
  // connection; readers see each page as soon as it is committed.
  std::thread syncing;
  int sync_result = 0;
  std::unique_ptr<ll2::store::Store> sync_store;
  std::unique_ptr<ll2::sync::Client> sync_client;
  std::unique_ptr<ll2::sync::Syncer> syncer;
  if (!sync_from.empty()) {
    serve_sync_args.upstream = sync_from;
    ll2::sync::SyncOptions options;
    if (auto e = sync_options(serve_sync_args, options)) {
      fmt::print(stderr, "ll2d serve: {}\n", *e);
      return 2;
    }
    if (open_options.access == Access::ReadOnly) {
      fmt::print(stderr, "ll2d serve: --sync-from needs a writable database\n");
      return 2;
    }
    auto opened = ll2::store::open_store(db, write_options);
    if (!opened.store) {
      fmt::print(stderr, "ll2d serve: --sync-from: {}\n", opened.error);
      return 2;
    }
    sync_store = std::move(opened.store);
    options.stop = &g_sync_stop;
    sync_client = ll2::sync::make_curl_client(client_options(serve_sync_args));
    syncer = std::make_unique<ll2::sync::Syncer>(*sync_store, *sync_client, options);
    syncing = std::thread([&] { sync_result = syncer->run(); });
  }
  // The feed's reminders, written by one node of those on the database.
  const auto leads = ll2::notify::parse_reminders(reminders);
  if (!leads) {
    fmt::print(stderr, "ll2d serve: --reminders {}: expected leads such as 24h,1h,10m, or none\n",
               reminders);
    return 2;
  }
  const auto first_retry = ll2::sync::parse_duration(hook_retry);
  if (!first_retry || *first_retry <= 0) {
    fmt::print(stderr, "ll2d serve: --hook-retry {}: expected 10s, 1m, ...\n", hook_retry);
    return 2;
  }
  // A node that reads from replicas keeps no connection to the primary: the
  // nodes without --replica (any one of them, by the lease) do this work.
  std::unique_ptr<ll2::notify::Worker> feed_worker;
  if (open_options.access != Access::ReadOnly && replicas.empty()) {
    ll2::notify::WorkerOptions worker_options;
    worker_options.reminders = *leads;
    ll2::notify::DelivererOptions hook_options;
    hook_options.max_attempts = hook_attempts;
    hook_options.first_retry = *first_retry * 1000;
    hook_options.base = public_url;
    hook_options.post = ll2::notify::curl_poster(std::chrono::seconds(hook_timeout));
    worker_options.hooks = hook_options;
    if (engine_options.now) {
      const int64_t fixed = *engine_options.now;
      worker_options.clock = [fixed] { return fixed; };
    }
    feed_worker = std::make_unique<ll2::notify::Worker>(
        [db, write_options] {
          auto opened = ll2::store::open_store(db, write_options);
          if (!opened.store) throw std::runtime_error(opened.error);
          return std::move(opened.store);
        },
        worker_options);
  }
  const int served = ll2::http::serve(engine, server, [&](uint16_t port) {
    // An IPv6 address is bracketed in a URL (RFC 3986 3.2.2).
    const bool v6 = server.host.find(':') != std::string::npos;
    fmt::print("ll2d: serving {} on http://{}{}{}:{}{}\n", ll2::store::display_name(db),
               v6 ? "[" : "", server.host, v6 ? "]" : "", port,
               ll2::model::registry().version().prefix);
    std::fflush(stdout);
  });
  if (syncing.joinable()) {
    g_sync_stop = true;
    syncing.join();
    if (sync_result == 2) fmt::print(stderr, "ll2d serve: the mirror could not run\n");
  }
  return served;
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
