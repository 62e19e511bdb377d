// `ll2d hooks add|list|remove|deliveries`: webhooks, POSTs of what the
// change log says.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "notify/hooks.hpp"
#include "store/store.hpp"

namespace ll2::cli {
namespace {

struct HooksOptions {
  std::string db = kDefaultDb;
  std::string url, types, kinds, secret, state;
  std::vector<std::string> filters;
  int64_t id = 0;
  int64_t limit = 50;
};

// What the hook is sent: its --types, --kinds and --filter as a query.
std::string hook_query(const HooksOptions& options) {
  std::vector<std::string> parts;
  if (!options.types.empty()) parts.push_back("types=" + options.types);
  if (!options.kinds.empty()) parts.push_back("kinds=" + options.kinds);
  for (const auto& f : options.filters) parts.push_back(f);
  return fmt::format("{}", fmt::join(parts, "&"));
}

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int fail(const std::string& error) {
  fmt::print(stderr, "ll2d hooks: {}\n", error);
  return 1;
}

int add_hook(store::Store& store, const HooksOptions& options) {
  auto added =
      notify::add_hook(store, options.url, hook_query(options), options.secret, now_micros());
  if (auto* e = std::get_if<std::string>(&added)) return fail(*e);
  const auto& hook = std::get<notify::Hook>(added);
  fmt::print("hook {}: {} ({}), from change {} on\n", hook.id, hook.url,
             hook.query.empty() ? "every change" : hook.query, hook.cursor);
  return 0;
}

int remove_hook(store::Store& store, int64_t id) {
  auto removed = notify::remove_hook(store, id);
  if (auto* e = std::get_if<std::string>(&removed)) return fail(*e);
  if (!std::get<bool>(removed)) return fail(fmt::format("no hook {}", id));
  fmt::print("hook {} removed\n", id);
  return 0;
}

int list_hooks(store::Store& store) {
  auto hooks = notify::list_hooks(store);
  if (auto* e = std::get_if<std::string>(&hooks)) return fail(*e);
  for (const auto& h : std::get<std::vector<notify::Hook>>(hooks)) {
    fmt::print("{}\t{}\t{}\tsigned: {}\tplanned up to change {}\n", h.id, h.url,
               h.query.empty() ? "every change" : h.query, h.secret.empty() ? "no" : "yes",
               h.cursor);
  }
  return 0;
}

int list_deliveries(store::Store& store, const HooksOptions& options) {
  auto deliveries = notify::list_deliveries(store, options.id, options.state, options.limit);
  if (auto* e = std::get_if<std::string>(&deliveries)) return fail(*e);
  for (const auto& d : std::get<std::vector<notify::Delivery>>(deliveries)) {
    fmt::print("hook {}\tchange {}\t{}\t{} attempts\tstatus {}\t{}\n", d.hook, d.seq, d.state,
               d.attempts, d.status, d.error);
  }
  return 0;
}

int run_hooks(const std::string& command, const HooksOptions& options,
              const model::Registry& schema) {
  auto opened =
      store::open_store(options.db, schema, {store::OpenOptions::Access::ReadWrite, true});
  if (!opened.store) {
    fmt::print(stderr, "ll2d hooks: {}\n", opened.error);
    return 2;
  }
  if (command == "add") return add_hook(*opened.store, options);
  if (command == "remove") return remove_hook(*opened.store, options.id);
  if (command == "list") return list_hooks(*opened.store);
  return list_deliveries(*opened.store, options);
}

void add_hooks_add(CLI::App* hooks, HooksOptions& options) {
  auto* add = hooks->add_subcommand("add", "Add a webhook; it receives what is logged from now on");
  add_db_option(add, options.db);
  add->add_option("--url", options.url, "Where to POST (http:// or https://)")->required();
  add->add_option("--types", options.types,
                  "Only entries of these types (launch.status_changed,launch.reminder)");
  add->add_option("--kinds", options.kinds, "Only these kinds (launch,event)");
  add->add_option("--filter", options.filters,
                  "A launch filter, NAME=VALUE (lsp__id=121); repeatable");
  add->add_option("--secret", options.secret,
                  "Sign each POST with HMAC-SHA256 of this secret (X-Ll2d-Signature-256)");
}

void add_hooks_deliveries(CLI::App* hooks, HooksOptions& options) {
  auto* deliveries = hooks->add_subcommand(
      "deliveries", "List deliveries, newest first (dead ones: --state dead)");
  add_db_option(deliveries, options.db);
  deliveries->add_option("--hook", options.id, "Only this webhook's");
  deliveries->add_option("--state", options.state, "pending, delivered or dead");
  deliveries->add_option("--limit", options.limit, "At most this many")->capture_default_str();
}

}  // namespace

Command add_hooks(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<HooksOptions>();
  auto* hooks = app.add_subcommand("hooks", "Manage webhooks: POSTs of what the change log says");
  hooks->require_subcommand(1);
  add_hooks_add(hooks, *options);
  auto* list = hooks->add_subcommand("list", "List webhooks and their deliveries' states");
  add_db_option(list, options->db);
  auto* remove = hooks->add_subcommand("remove", "Remove a webhook and its deliveries");
  add_db_option(remove, options->db);
  remove->add_option("id", options->id, "The webhook's id, as list shows it")->required();
  add_hooks_deliveries(hooks, *options);
  return {hooks, [options, hooks, &catalog] {
            // The one chosen: require_subcommand(1) makes it exactly one.
            return run_hooks(hooks->get_subcommands().front()->get_name(), *options,
                             catalog.first());
          }};
}

}  // namespace ll2::cli
