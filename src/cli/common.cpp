#include "cli/common.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "model/schema.hpp"
#include "sync/budget.hpp"
#include "util/text.hpp"

namespace ll2::cli {

namespace {
constexpr const char* kDbHelp =
    "Database: a SQLite file (or sqlite:FILE), or postgresql://user@host:port/name";
}  // namespace

CLI::Option* add_db_option(CLI::App* cmd, std::string& db, const std::string& how) {
  return cmd
      ->add_option("--db", db,
                   how.empty() ? std::string(kDbHelp) : std::string(kDbHelp) + " (" + how + ")")
      ->capture_default_str();
}

std::atomic<bool> g_sync_stop{false};

std::string version_line(const model::Catalog& catalog) {
  return fmt::format("ll2d {} (commit {}, {} build; serves LL2 {})", LL2D_VERSION, LL2D_COMMIT,
                     LL2D_BUILD_TYPE, catalog.names());
}

void add_retention_option(CLI::App* cmd, std::string& retention) {
  cmd->add_option("--changes-retention", retention,
                  "How long the change log (/ll2d/changes/) keeps what this command changes: "
                  "30d, 12h, 90m; 0 logs nothing")
      ->capture_default_str();
}

std::optional<std::string> set_retention(const std::string& text, store::OpenOptions& options) {
  if (text == "0") {
    options.changes_retention = std::chrono::seconds(0);
    return std::nullopt;
  }
  const auto d = sync::parse_duration(text);
  if (!d || *d < 1000)
    return "--changes-retention " + text + ": expected 30d, 12h, 90m, 3600s or 0";
  options.changes_retention = std::chrono::seconds(*d / 1000);
  return std::nullopt;
}

std::optional<store::OpenOptions> write_options_or_complain(const std::string& retention) {
  store::OpenOptions options;
  if (auto e = set_retention(retention, options)) {
    fmt::print(stderr, "ll2d: {}\n", *e);
    return std::nullopt;
  }
  return options;
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

sync::ClientOptions client_options(const SyncArgs& args) {
  sync::ClientOptions o;
  o.token = args.token;
  o.timeout = std::chrono::seconds(args.timeout);
  o.max_body_bytes = args.max_page_bytes;
  o.stop = &g_sync_stop;
  return o;
}

std::optional<std::string> sync_options(const SyncArgs& args, sync::SyncOptions& options) {
  const auto rate = sync::parse_rate(args.calls);
  if (!rate) return "--calls " + args.calls + ": expected N/hour, N/day, N/min or N/Ss (30/10s)";
  const auto refresh = sync::parse_duration(args.refresh_every);
  const auto rewalk = sync::parse_duration(args.rewalk_every);
  if (!refresh) return "--refresh-every " + args.refresh_every + ": expected 90s, 15m, 2h or 7d";
  if (!rewalk) return "--rewalk-every " + args.rewalk_every + ": expected 90s, 15m, 2h or 7d";
  if (args.upstream.rfind("http://", 0) != 0 && args.upstream.rfind("https://", 0) != 0)
    return "--upstream " + text::mask_url_password(args.upstream) +
           ": expected an http:// or https:// URL";
  options.upstream = args.upstream;
  options.rate = *rate;
  options.resources = args.resources;
  options.refresh_every = *refresh;
  options.rewalk_every = *rewalk;
  return std::nullopt;
}

}  // namespace ll2::cli
