// ll2d: a self-hostable, wire-compatible server for the Launch Library 2 API.
// Each subcommand lives in src/cli/; this file puts them on one command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <vector>

#include "catalog/catalog.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"

namespace {

int run(int argc, char** argv) {
  // The versions ll2d serves, built here once and handed to every command.
  const ll2::model::Catalog& catalog = ll2::model::catalog();
  CLI::App app{
      fmt::format("ll2d: a fast, self-hostable Launch Library 2 API server ({})", catalog.names())};
  app.require_subcommand(1);
  app.set_version_flag("--version", ll2::cli::version_line(catalog));
  const std::vector<ll2::cli::Command> commands{
      ll2::cli::add_serve(app, catalog),    ll2::cli::add_keys(app, catalog),
      ll2::cli::add_import(app, catalog),   ll2::cli::add_check(app, catalog),
      ll2::cli::add_generate(app, catalog), ll2::cli::add_sync(app, catalog),
      ll2::cli::add_hooks(app, catalog),    ll2::cli::add_changes(app, catalog)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; a wrong argument exits
    // 2, as other Unix tools do (CLI11's own codes are 100 and more).
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const auto& command : commands) {
    if (*command.subcommand) return command.run();
  }
  return 2;  // not reached: the app requires one subcommand
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Only the unexpected gets here (e.g. the database vanished mid-run).
    fmt::print(stderr, "ll2d: fatal: {}\n", e.what());
    return 1;
  }
}
