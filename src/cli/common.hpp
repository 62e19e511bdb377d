// What several of ll2d's subcommands share.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "sync/syncer.hpp"

namespace ll2::cli {

constexpr const char* kDefaultDb = "ll2d.sqlite3";

// --db, with the default shown; `how` says how the command opens it
// ("opened read-only"), if it says anything. The option is returned.
CLI::Option* add_db_option(CLI::App* cmd, std::string& db, const std::string& how = "");

// `ll2d --version`: what was built, from which commit, how, serving which
// versions.
std::string version_line(const model::Catalog& catalog);

// --changes-retention: how long the change log keeps entries (0: none are
// written). The default is "30d".
void add_retention_option(CLI::App* cmd, std::string& retention);

// Sets `options`' retention from the option's text; an error message, or nothing.
std::optional<std::string> set_retention(const std::string& text, store::OpenOptions& options);

// Write access with the retention `text` says, or exit code 2 once the
// error is printed ("ll2d: ...").
std::optional<store::OpenOptions> write_options_or_complain(const std::string& retention);

// Set by SIGINT/SIGTERM (sync) or serve's end: the mirror stops between calls.
extern std::atomic<bool> g_sync_stop;

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

// The options of SyncArgs but --upstream, each name after "--" + `prefix`.
void add_sync_options(CLI::App* cmd, SyncArgs& args, const std::string& prefix);

sync::ClientOptions client_options(const SyncArgs& args);

// Parses the options into `options`; an error message, or nothing.
std::optional<std::string> sync_options(const SyncArgs& args, sync::SyncOptions& options);

}  // namespace ll2::cli
