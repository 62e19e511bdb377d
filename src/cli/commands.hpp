// ll2d's subcommands. Each file of src/cli/ holds one: its options, the
// function that adds them to the app, and the function that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "model/schema.hpp"

namespace ll2::cli {

// A subcommand added to the app: `subcommand` tells whether the command line
// chose it; `run` runs it with what was parsed and returns the exit code.
struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> run;
};

// In the order `ll2d --help` lists them. Each serves, reads or writes the
// API versions of `catalog` (which outlives the command): the databases it
// opens hold the tables of its first version's kinds.
Command add_serve(CLI::App& app, const model::Catalog& catalog);
Command add_keys(CLI::App& app, const model::Catalog& catalog);
Command add_import(CLI::App& app, const model::Catalog& catalog);
Command add_check(CLI::App& app, const model::Catalog& catalog);
Command add_generate(CLI::App& app, const model::Catalog& catalog);
Command add_sync(CLI::App& app, const model::Catalog& catalog);
Command add_hooks(CLI::App& app, const model::Catalog& catalog);
Command add_changes(CLI::App& app, const model::Catalog& catalog);

}  // namespace ll2::cli
