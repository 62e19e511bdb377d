// `ll2d check`: what an operator needs to know before serving a file.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"

namespace ll2::cli {
namespace {

struct CheckOptions {
  std::string db = kDefaultDb;
  bool quick = false;
};

// The non-empty tables with their counts, then a total line.
void print_rows(const store::CheckReport& report) {
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
  fmt::print("    {} rows in {} tables ({} empty, not listed)\n", total, report.rows.size(), empty);
}

int run_check(const CheckOptions& options, const model::Registry& schema) {
  const auto report = store::check_store(options.db, schema, options.quick);
  const std::string name = store::display_name(options.db);
  fmt::print("{}\n", name);
  if (!report.integrity.empty())
    fmt::print("  integrity ({}): {}\n", options.quick ? "quick_check" : "integrity_check",
               report.integrity == "ok" ? "ok" : "DAMAGED");
  if (report.schema_version >= 0)
    fmt::print("  schema version: {} (this ll2d: {})\n", report.schema_version,
               store::kSchemaVersion);
  if (!report.rows.empty()) print_rows(report);
  for (const auto& n : report.notes) fmt::print("ll2d check: {}: note: {}\n", name, n);
  if (report.problems.empty()) {
    fmt::print("ll2d check: {} is healthy\n", name);
    return 0;
  }
  std::fflush(stdout);
  for (const auto& p : report.problems) fmt::print(stderr, "ll2d check: {}: {}\n", name, p);
  return 1;
}

}  // namespace

Command add_check(CLI::App& app, const model::Catalog& catalog) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = app.add_subcommand(
      "check", "Check a database: integrity, schema version, rows per table (exit 1 if unhealthy)");
  add_db_option(check, options->db, "opened read-only");
  check->add_flag("--quick", options->quick,
                  "PRAGMA quick_check instead of integrity_check (faster; skips index contents)");
  return {check, [options, &catalog] { return run_check(*options, catalog.first()); }};
}

}  // namespace ll2::cli
