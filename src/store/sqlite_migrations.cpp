#include "store/sqlite_migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <variant>
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

// Rows of a query as text columns. A query that fails part way sets `error`
// (when given) rather than passing for a shorter result.
std::vector<std::vector<std::string>> query_rows(sqlite3* db, const std::string& sql,
                                                 std::string* error = nullptr) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) break;
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      row.emplace_back(t != nullptr ? t : "");
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE && error != nullptr && error->empty())
    *error = fmt::format("{} (in: {})", sqlite3_errmsg(db), sql.substr(0, 120));
  sqlite3_finalize(stmt);
  return rows;
}

// What a database holds: CREATE statements of tables and indexes by name,
// and each table's columns (name → declared type) in order.
struct Catalog {
  std::map<std::string, std::string> tables;
  std::map<std::string, std::string> indexes;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> columns;
  std::string error;  // the catalog could not be read completely
};

Catalog read_catalog(sqlite3* db) {
  Catalog c;
  for (auto& row : query_rows(db,
                              "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%'",
                              &c.error)) {
    (row[0] == "table" ? c.tables : c.indexes)[row[1]] = row[2];
  }
  for (const auto& [table, sql] : c.tables) {
    for (auto& col : query_rows(
             db,
             fmt::format("SELECT name, type FROM pragma_table_info({})", sql::quote_literal(table)),
             &c.error))
      c.columns[table].emplace_back(col[0], col[1]);
  }
  return c;
}

// The schema the declarations describe, as SQLite itself reads it: built in
// a private in-memory database, so comparing it with a file compares like
// with like.
std::variant<Catalog, std::string> declared_catalog(const model::Registry& schema) {
  sqlite3* mem = nullptr;
  if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
    sqlite3_close(mem);
    return std::string("cannot open an in-memory database");
  }
  for (const auto& stmt : sql::schema(schema)) {
    if (auto e = exec(mem, stmt)) {
      sqlite3_close(mem);
      return *e;
    }
  }
  Catalog c = read_catalog(mem);
  sqlite3_close(mem);
  if (!c.error.empty()) return c.error;
  return c;
}

// Derived upgrades: what the declarations add (tables, columns, indexes) is
// created; nothing is ever dropped or retyped here (that needs a hand-written
// step, since it can lose data). Returns the statements, or the problem.
std::variant<std::vector<std::string>, std::string> additive_changes(
    sqlite3* db, const model::Registry& schema) {
  auto declared = declared_catalog(schema);
  if (auto* e = std::get_if<std::string>(&declared)) return *e;
  const Catalog& want = std::get<Catalog>(declared);
  const Catalog have = read_catalog(db);
  if (!have.error.empty()) return "cannot read the schema: " + have.error;
  std::vector<std::string> out;
  for (const auto& [table, create] : want.tables) {
    const auto existing = have.columns.find(table);
    if (existing == have.columns.end()) {
      out.push_back(create);
      continue;
    }
    for (const auto& [column, type] : want.columns.at(table)) {
      const std::string& name = column;  // (clang 14 cannot capture a structured binding)
      const auto it = std::find_if(existing->second.begin(), existing->second.end(),
                                   [&](const auto& c) { return c.first == name; });
      if (it == existing->second.end()) {
        out.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", sql::quote(table),
                                  sql::quote(column), type));
      } else if (it->second != type) {
        return fmt::format(
            "column {}.{} is {} in the database but {} in the declarations; that change needs "
            "a hand-written upgrade step",
            table, column, it->second, type);
      }
    }
  }
  for (const auto& [index, create] : want.indexes) {
    // Indexes hold nothing of their own: one declared differently is rebuilt.
    const auto it = have.indexes.find(index);
    if (it != have.indexes.end() && it->second != create)
      out.push_back(fmt::format("DROP INDEX {}", sql::quote(index)));
    if (it == have.indexes.end() || it->second != create) out.push_back(create);
  }
  return out;
}

using Step = std::function<std::optional<std::string>(sqlite3*)>;

// steps[i] upgrades a database from version i + 1 to i + 2: only what the
// declarations cannot say (renames, data moves). Version 1 is the first
// released schema.
const std::vector<Step>& upgrade_steps() {
  static const std::vector<Step> steps{
      // 1 → 2: id-less rows live in one table per owning relation
      // (<owner>__<field>); in version 1 the mission's info and video URLs
      // were the only such rows, in tables named after their kind.
      [](sqlite3* db) -> std::optional<std::string> {
        for (const auto& [from, to] : {std::pair{"info_url", "mission__info_urls"},
                                       std::pair{"vid_url", "mission__vid_urls"}}) {
          const auto count = [&](const char* name) {
            return query_rows(db, fmt::format("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                              "AND name = {}",
                                              sql::quote_literal(name)))
                .size();
          };
          if (count(from) == 1 && count(to) == 0) {
            if (auto e = exec(db, fmt::format("ALTER TABLE {} RENAME TO {}", sql::quote(from),
                                              sql::quote(to))))
              return e;
          }
        }
        return std::nullopt;
      },
  };
  return steps;
}

std::optional<std::string> in_transaction(sqlite3* db,
                                          const std::function<std::optional<std::string>()>& work) {
  if (auto e = exec(db, "BEGIN IMMEDIATE")) return e;
  if (auto e = work()) {
    exec(db, "ROLLBACK");
    return e;
  }
  return exec(db, "COMMIT");
}

}  // namespace

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

std::optional<std::string> migrate_sqlite(sqlite3* db, const model::Registry& schema) {
  const int64_t version = query_int(db, "PRAGMA user_version");
  if (version < 0) return std::string("cannot read the database header (is it a SQLite file?)");
  if (version > kSchemaVersion) {
    return fmt::format(
        "the database has schema version {}, newer than this ll2d understands ({}); use a newer "
        "ll2d",
        version, kSchemaVersion);
  }
  if (version == 0 &&
      query_int(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") > 0) {
    return std::string(
        "the file holds tables but no ll2d schema version; it is not an ll2d database");
  }
  for (int64_t v = std::max<int64_t>(version, 1); version > 0 && v < kSchemaVersion; ++v) {
    if (auto e = in_transaction(db, [&]() -> std::optional<std::string> {
          if (auto e = upgrade_steps().at(static_cast<size_t>(v - 1))(db)) return e;
          return exec(db, fmt::format("PRAGMA user_version = {}", v + 1));
        })) {
      return fmt::format("upgrading schema {} to {}: {}", v, v + 1, *e);
    }
  }
  // New tables, columns and indexes of the declarations; for an empty file,
  // the whole schema.
  auto changes = additive_changes(db, schema);
  if (auto* e = std::get_if<std::string>(&changes)) return *e;
  const auto& statements = std::get<std::vector<std::string>>(changes);
  if (statements.empty() && version == kSchemaVersion) return std::nullopt;
  return in_transaction(db, [&]() -> std::optional<std::string> {
    // Another process may have upgraded the file since it was read.
    auto again = additive_changes(db, schema);
    if (auto* e = std::get_if<std::string>(&again)) return *e;
    for (const auto& stmt : std::get<std::vector<std::string>>(again)) {
      if (auto e = exec(db, stmt)) return e;
    }
    return exec(db, fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  });
}

std::optional<std::string> schema_problem(sqlite3* db, const model::Registry& schema) {
  const int64_t version = query_int(db, "PRAGMA user_version");
  if (version < 0) return std::string("cannot read the database header (is it a SQLite file?)");
  if (version == 0) {
    return std::string(
        query_int(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") > 0
            ? "the file holds tables but no ll2d schema version; it is not an ll2d database"
            : "the database is empty: it holds no ll2d schema and no data");
  }
  if (version > kSchemaVersion) {
    return fmt::format(
        "the database has schema version {}, newer than this ll2d understands ({}); use a newer "
        "ll2d",
        version, kSchemaVersion);
  }
  auto changes = additive_changes(db, schema);
  if (auto* e = std::get_if<std::string>(&changes)) return *e;
  auto statements = std::get<std::vector<std::string>>(changes);
  std::erase_if(statements, [](const std::string& s) { return s.starts_with("CREATE INDEX "); });
  // (A changed index is dropped first: that DROP stays, and is a change.)
  if (version < kSchemaVersion || !statements.empty()) {
    return fmt::format(
        "the database has schema version {}{}, this ll2d needs {}; it is upgraded when opened "
        "writable (ll2d import, or ll2d serve without --read-only on a writable file)",
        version, statements.empty() ? "" : fmt::format(" ({} changes behind)", statements.size()),
        kSchemaVersion);
  }
  return std::nullopt;
}

size_t missing_indexes(sqlite3* db, const model::Registry& schema) {
  auto changes = additive_changes(db, schema);
  if (std::holds_alternative<std::string>(changes)) return 0;  // schema_problem says it
  const auto& statements = std::get<std::vector<std::string>>(changes);
  size_t created = 0;
  size_t dropped = 0;
  for (const auto& s : statements) {
    created += s.starts_with("CREATE INDEX ") ? 1 : 0;
    dropped += s.starts_with("DROP INDEX ") ? 1 : 0;
  }
  return created - dropped;
}

}  // namespace ll2::store
