#include "store/migrations.hpp"

#include <fmt/format.h>

#include <functional>
#include <vector>

#include "store/sql_builder.hpp"

namespace ll2::store {

namespace {

std::optional<std::string> exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return fmt::format("{} (in: {})", msg, sql.substr(0, 120));
  }
  return std::nullopt;
}

int64_t query_int(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    v = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return v;
}

// steps[i] upgrades a database from version i + 1 to i + 2. Version 1 is the
// first released schema, so there are none yet.
const std::vector<std::function<std::optional<std::string>(sqlite3*)>>& upgrade_steps() {
  static const std::vector<std::function<std::optional<std::string>(sqlite3*)>> steps;
  return steps;
}

}  // namespace

std::optional<std::string> migrate_sqlite(sqlite3* db) {
  const int64_t version = query_int(db, "PRAGMA user_version");
  if (version < 0) return std::string("cannot read the database header (is it a SQLite file?)");
  if (version > kSchemaVersion) {
    return fmt::format(
        "the database has schema version {}, newer than this ll2d understands ({}); use a newer "
        "ll2d",
        version, kSchemaVersion);
  }
  if (version == 0) {
    if (query_int(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") > 0) {
      return std::string(
          "the file holds tables but no ll2d schema version; it is not an ll2d database");
    }
    if (auto e = exec(db, "BEGIN IMMEDIATE")) return e;
    for (const auto& stmt : sql::schema(model::registry())) {
      if (auto e = exec(db, stmt)) {
        exec(db, "ROLLBACK");
        return e;
      }
    }
    if (auto e = exec(db, fmt::format("PRAGMA user_version = {}", kSchemaVersion))) {
      exec(db, "ROLLBACK");
      return e;
    }
    return exec(db, "COMMIT");
  }
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    if (auto e = exec(db, "BEGIN IMMEDIATE")) return e;
    if (auto e = upgrade_steps().at(static_cast<size_t>(v - 1))(db)) {
      exec(db, "ROLLBACK");
      return fmt::format("upgrading schema {} to {}: {}", v, v + 1, *e);
    }
    if (auto e = exec(db, fmt::format("PRAGMA user_version = {}", v + 1))) {
      exec(db, "ROLLBACK");
      return e;
    }
    if (auto e = exec(db, "COMMIT")) return e;
  }
  return std::nullopt;
}

}  // namespace ll2::store
