// `ll2d sync`: mirror a live LL2 into a database, inside its rate limit.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "store/store.hpp"
#include "sync/syncer.hpp"

namespace ll2::cli {
namespace {

struct SyncCommandOptions {
  std::string db = kDefaultDb;
  SyncArgs args;
  std::string retention = "30d";
  bool once = false;
  bool status = false;
  bool reset_budget = false;
};

// --reset-budget: the saved waits forgotten.
int reset_budget(sync::Syncer& syncer) {
  if (auto e = syncer.reset_budget()) {
    fmt::print(stderr, "ll2d sync: {}\n", *e);
    return 2;
  }
  fmt::print("ll2d sync: the saved waits are forgotten (the calls made stay counted)\n");
  return 0;
}

int sync_into(const SyncCommandOptions& command, const model::Catalog& catalog,
              const store::OpenOptions& open_options) {
  auto opened = store::open_store(command.db, catalog.first(), open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d sync: {}\n", opened.error);
    return 2;
  }
  sync::SyncOptions options;
  if (command.status || command.reset_budget) {
    options.upstream = "http://unused";
  } else if (auto e = sync_options(command.args, options)) {
    fmt::print(stderr, "ll2d sync: {}\n", *e);
    return 2;
  }
  options.resources = command.args.resources;
  options.once = command.once;
  options.stop = &g_sync_stop;
  auto client = sync::make_curl_client(client_options(command.args));
  sync::Syncer syncer(catalog, *opened.store, *client, options);
  if (command.reset_budget) return reset_budget(syncer);
  if (command.status) {
    fmt::print("{}", syncer.status());
    return 0;
  }
  // SIGINT/SIGTERM end the run between two calls (a kill at any other
  // moment loses nothing either; this is only tidier).
  std::signal(SIGINT, [](int) { g_sync_stop = true; });
  std::signal(SIGTERM, [](int) { g_sync_stop = true; });
  return syncer.run();
}

int run_sync(const SyncCommandOptions& command, const model::Catalog& catalog) {
  const auto write_options = write_options_or_complain(command.retention);
  if (!write_options) return 2;
  if (!command.status && !command.reset_budget && command.args.upstream.empty()) {
    fmt::print(stderr, "ll2d sync: --upstream URL is required (or --status, --reset-budget)\n");
    return 2;
  }
  return sync_into(command, catalog, *write_options);
}

}  // namespace

Command add_sync(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<SyncCommandOptions>();
  auto* sync = app.add_subcommand(
      "sync", "Mirror a live LL2 into a database, inside its rate limit, and keep it fresh");
  add_db_option(sync, options->db, "created if missing");
  sync->add_option("--upstream", options->args.upstream,
                   "The LL2 to mirror, e.g. https://ll.thespacedevs.com (read through 2.3.0), or "
                   "https://HOST/api/ll/2.4.0 to read 2.4.0");
  add_sync_options(sync, options->args, "");
  add_retention_option(sync, options->retention);
  sync->add_flag("--once", options->once,
                 "Do what is due (the initial load, or one refresh), then exit");
  sync->add_flag("--status", options->status,
                 "Print what is mirrored, how fresh, and the next planned call; no call is made");
  sync->add_flag("--reset-budget", options->reset_budget,
                 "Forget the saved waits (Retry-After, back-off, endpoints given up); the calls "
                 "made stay counted. No call is made");
  return {sync, [options, &catalog] { return run_sync(*options, catalog); }};
}

}  // namespace ll2::cli
