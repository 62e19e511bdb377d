// `ll2d changes`: the change log as JSON lines, oldest first.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "feed/changes.hpp"
#include "store/store.hpp"

namespace ll2::cli {
namespace {

struct ChangesOptions {
  std::string db = kDefaultDb;
  std::string since, limit, kinds, types, id;
  std::string public_url;
};

int run_changes(const ChangesOptions& options, const model::Registry& schema) {
  store::OpenOptions open_options;
  open_options.access = store::OpenOptions::Access::Auto;
  open_options.must_exist = true;
  auto opened = store::open_store(options.db, schema, open_options);
  if (!opened.store) {
    fmt::print(stderr, "ll2d changes: {}\n", opened.error);
    return 2;
  }
  const feed::ChangeParams params{options.since, options.limit, options.kinds, options.types,
                                  options.id};
  auto printed = feed::print_changes(*opened.store, params, options.public_url, stdout);
  if (auto* problems = std::get_if<feed::QueryProblems>(&printed)) {
    for (const auto& [name, messages] : *problems) {
      for (const auto& m : messages) fmt::print(stderr, "ll2d changes: --{}: {}\n", name, m);
    }
    return 2;
  }
  return 0;
}

}  // namespace

Command add_changes(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<ChangesOptions>();
  auto* changes = app.add_subcommand(
      "changes", "Print the change log (what imports and syncs changed) as JSON lines");
  add_db_option(changes, options->db, "opened read-only");
  changes->add_option("--since", options->since, "Entries after this sequence number (default 0)");
  changes->add_option("--limit", options->limit, "At most this many entries (default: all)");
  changes->add_option("--kinds", options->kinds, "Only these kinds (launch,event,...)");
  changes->add_option("--types", options->types,
                      "Only entries of these types (launch.net_changed,launch.status_changed)");
  changes->add_option("--id", options->id, "Only this object's entries");
  changes->add_option("--public-url", options->public_url,
                      "Scheme and host for the objects' urls (default: paths)");
  return {changes, [options, &catalog] { return run_changes(*options, catalog.first()); }};
}

}  // namespace ll2::cli
