#include <fmt/format.h>
#include <sqlite3.h>

#include <cstring>
#include <list>
#include <stdexcept>
#include <unordered_map>

#include "json/writer.hpp"
#include "store/migrations.hpp"
#include "store/sql_builder.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace ll2::store {

namespace {

using model::Field;
using model::Kind;

// ll2_icontains(haystack, NEEDLE): PostgreSQL's UPPER(h) LIKE '%' || NEEDLE
// || '%' with the needle taken literally; NULL haystacks never match.
void icontains(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* h = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int hn = sqlite3_value_bytes(argv[0]);
  const auto* n = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const int nn = sqlite3_value_bytes(argv[1]);
  const std::string_view haystack(h, static_cast<size_t>(hn));
  const std::string_view needle(n, static_cast<size_t>(nn));
  sqlite3_result_int(ctx, text::contains_upper(haystack, needle));
}

// ll2_upper(text): PostgreSQL's UPPER (iexact and istartswith lookups).
void upper(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string u =
      text::unicode_upper(std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, u.data(), static_cast<int>(u.size()), SQLITE_TRANSIENT);
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      error_ = fmt::format("{} (in: {})", sqlite3_errmsg(db), sql);
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  const std::string& error() const { return error_; }
  sqlite3_stmt* get() const { return stmt_; }

  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void bind(int index, const Value& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) {
      sqlite3_bind_int64(stmt_, index, *i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      sqlite3_bind_double(stmt_, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      sqlite3_bind_text(stmt_, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt_, index);
    }
  }
  Value column(int index) const {
    switch (sqlite3_column_type(stmt_, index)) {
      case SQLITE_INTEGER:
        return sqlite3_column_int64(stmt_, index);
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt_, index);
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
        return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
      }
      default:
        return std::monostate{};
    }
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db), derived_(sql::derived_updates(model::registry())) {}
  ~SqliteStore() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  std::optional<Row> load(const Kind& kind, const Value& id) override {
    Statement& st = prepared(sql::select_row(kind));
    st.reset();
    st.bind(1, id);
    std::optional<Row> row;
    if (sqlite3_step(st.get()) == SQLITE_ROW) row = read_row(st, kind.column_count + 1);
    sqlite3_reset(st.get());
    return row;
  }

  std::vector<Value> related_ids(const Kind& owner_kind, const Field& field,
                                 const Value& owner) override {
    Statement& st = prepared(sql::select_related_ids(owner_kind, field));
    st.reset();
    st.bind(1, owner);
    std::vector<Value> ids;
    while (sqlite3_step(st.get()) == SQLITE_ROW) ids.push_back(st.column(0));
    sqlite3_reset(st.get());
    return ids;
  }

  std::vector<Row> load_many(const Kind& kind, const std::vector<Value>& ids) override {
    Statement& st = prepared(sql::select_rows_in(kind));
    st.reset();
    st.bind(1, json_array(ids));
    std::vector<Row> rows;
    while (sqlite3_step(st.get()) == SQLITE_ROW)
      rows.push_back(read_row(st, kind.column_count + 1));
    sqlite3_reset(st.get());
    return rows;
  }

  std::vector<std::pair<Value, Value>> related_ids_many(const Kind& owner_kind, const Field& field,
                                                        const std::vector<Value>& owners) override {
    Statement& st = prepared(sql::select_related_ids_in(owner_kind, field));
    st.reset();
    st.bind(1, json_array(owners));
    std::vector<std::pair<Value, Value>> pairs;
    while (sqlite3_step(st.get()) == SQLITE_ROW) pairs.emplace_back(st.column(0), st.column(1));
    sqlite3_reset(st.get());
    return pairs;
  }

  std::vector<std::pair<Value, Row>> owned_rows_many(const Field& field,
                                                     const std::vector<Value>& owners) override {
    Statement& st = prepared(sql::select_owned_rows_in(field));
    st.reset();
    st.bind(1, json_array(owners));
    std::vector<std::pair<Value, Row>> rows;
    const int n = field.target_kind->column_count + 1;
    while (sqlite3_step(st.get()) == SQLITE_ROW) {
      Row row;
      row.reserve(static_cast<size_t>(n));
      for (int i = 1; i <= n; ++i) row.push_back(st.column(i));
      rows.emplace_back(st.column(0), std::move(row));
    }
    sqlite3_reset(st.get());
    return rows;
  }

  std::vector<Row> owned_rows(const Field& field, const Value& owner) override {
    Statement& st = prepared(sql::select_owned_rows(field));
    st.reset();
    st.bind(1, owner);
    std::vector<Row> rows;
    while (sqlite3_step(st.get()) == SQLITE_ROW)
      rows.push_back(read_row(st, field.target_kind->column_count + 1));
    sqlite3_reset(st.get());
    return rows;
  }

  Page list(const ListQuery& query) override {
    const auto statements = sql::list(query);
    Page page;
    if (query.count) {
      Statement& st = bound(statements.count);
      if (sqlite3_step(st.get()) == SQLITE_ROW) page.count = sqlite3_column_int64(st.get(), 0);
      sqlite3_reset(st.get());
    }
    if (!query.count || page.count > query.offset) {
      Statement& st = bound(statements.page);
      while (sqlite3_step(st.get()) == SQLITE_ROW) page.ids.push_back(st.column(0));
      sqlite3_reset(st.get());
    }
    return page;
  }

  bool exists(const Kind& kind, const Value& id) override {
    Statement& st = prepared(sql::select_exists(kind));
    st.reset();
    st.bind(1, id);
    const bool found = sqlite3_step(st.get()) == SQLITE_ROW;
    sqlite3_reset(st.get());
    return found;
  }

  uint64_t data_version() override {
    Statement& st = prepared("PRAGMA data_version");
    uint64_t v = 0;
    if (sqlite3_step(st.get()) == SQLITE_ROW)
      v = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
    sqlite3_reset(st.get());
    return v;
  }

  std::optional<std::string> begin_read() override {
    if (auto e = exec("BEGIN")) return e;
    // The snapshot starts with the first read, so take it now.
    Statement& st = prepared("SELECT 1 FROM sqlite_master LIMIT 1");
    const int rc = sqlite3_step(st.get());
    sqlite3_reset(st.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      std::string e = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      return e;
    }
    return std::nullopt;
  }

  void end_read() override { exec("COMMIT"); }

  std::optional<std::string> write(const WriteBatch& batch) override {
    if (auto e = exec("BEGIN IMMEDIATE")) return e;
    auto result = write_all(batch);
    // Links LL2 gives from one side only (a flight's rocket via its launch).
    for (const auto& update : derived_) {
      if (result) break;
      result = run(update, {});
    }
    if (result) {
      exec("ROLLBACK");
      return result;
    }
    return exec("COMMIT");
  }

 private:
  // Prepared statements by SQL text, least recently used first out. The
  // text is the query's shape (values are bound), but the number of search
  // terms still varies, so the cache is bounded. A statement is only used
  // between its lookup here and the next one, so evicting is always safe.
  Statement& prepared(const std::string& sql) {
    if (const auto it = statements_.find(sql); it != statements_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.second);
      return *it->second.first;
    }
    auto st = std::make_unique<Statement>(db_, sql);
    // Only what prepared is cached: a failure is reported, never kept.
    if (!st->ok()) throw std::runtime_error(st->error());
    if (statements_.size() >= kMaxStatements) {
      statements_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(sql);
    return *statements_.emplace(sql, std::pair{std::move(st), recent_.begin()}).first->second.first;
  }

  Statement& bound(const sql::Statement& s) {
    Statement& st = prepared(s.sql);
    st.reset();
    for (size_t i = 0; i < s.params.size(); ++i) st.bind(static_cast<int>(i + 1), s.params[i]);
    return st;
  }

  // Ids as one JSON array parameter (json_each reads it back as integers
  // and strings); ids are integers or UUIDs, so nothing needs escaping
  // beyond what the JSON writer does.
  static Value json_array(const std::vector<Value>& ids) {
    std::string out;
    json::Writer w(out);
    w.begin_array();
    for (const auto& id : ids) {
      if (const auto* i = std::get_if<int64_t>(&id))
        w.integer(*i);
      else if (const auto* t = std::get_if<std::string>(&id))
        w.string(*t);
    }
    w.end_array();
    return out;
  }

  static Row read_row(const Statement& st, int n) {
    Row row;
    row.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) row.push_back(st.column(i));
    return row;
  }

  std::optional<std::string> exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "unknown error";
      sqlite3_free(err);
      return msg;
    }
    return std::nullopt;
  }

  std::optional<std::string> run(const std::string& sql, const std::vector<Value>& params) {
    Statement& st = bound({sql, params});
    const int rc = sqlite3_step(st.get());
    sqlite3_reset(st.get());
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
      return fmt::format("{} (in: {})", sqlite3_errmsg(db_), sql);
    return std::nullopt;
  }

  std::optional<std::string> write_all(const WriteBatch& batch) {
    for (const auto& obj : batch.objects) {
      std::string columns = "id";
      std::string marks = "?";
      std::string updates;
      std::vector<Value> params{obj.id};
      for (const auto& [field, value] : obj.values) {
        const std::string c = sql::quote(sql::column_name(*field));
        columns += ", " + c;
        marks += ", ?";
        updates += fmt::format("{}{} = excluded.{}", updates.empty() ? "" : ", ", c, c);
        params.push_back(value);
      }
      const std::string table = sql::quote(obj.kind->name);
      const std::string stmt =
          updates.empty()
              ? fmt::format("INSERT OR IGNORE INTO {} (id) VALUES (?)", table)
              : fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
                            table, columns, marks, updates);
      if (auto e = run(stmt, params)) return e;
    }
    for (const auto& link : batch.links) {
      if (link.field->relation == model::Relation::ManyToMany) {
        const std::string table = sql::quote(link.kind->link_table(*link.field));
        if (auto e = run(fmt::format("DELETE FROM {} WHERE owner_id = ?", table), {link.owner}))
          return e;
        for (const auto& t : link.targets) {
          if (auto e =
                  run(fmt::format("INSERT OR IGNORE INTO {} (owner_id, target_id) VALUES (?, ?)",
                                  table),
                      {link.owner, t})) {
            return e;
          }
        }
      } else if (link.field->relation == model::Relation::Reverse) {
        if (auto e = write_reverse(link)) return e;
      } else {  // children: detach the old set, attach the new one
        const std::string table = sql::quote(link.field->target_kind->name);
        if (auto e = run(fmt::format("UPDATE {} SET owner_id = NULL WHERE owner_id = ?", table),
                         {link.owner})) {
          return e;
        }
        for (const auto& t : link.targets) {
          if (auto e = run(fmt::format("UPDATE {} SET owner_id = ? WHERE id = ?", table),
                           {link.owner, t}))
            return e;
        }
      }
    }
    for (const auto& rows : batch.rows) {
      const std::string table = sql::quote(rows.field->owner->link_table(*rows.field));
      if (auto e = run(fmt::format("DELETE FROM {} WHERE owner_id = ?", table), {rows.owner}))
        return e;
      int64_t position = 0;
      for (const auto& row : rows.rows) {
        std::string columns = "owner_id, position";
        std::string marks = "?, ?";
        std::vector<Value> params{rows.owner, position++};
        for (const auto& [field, value] : row) {
          columns += ", " + sql::quote(sql::column_name(*field));
          marks += ", ?";
          params.push_back(value);
        }
        if (auto e =
                run(fmt::format("INSERT INTO {} ({}) VALUES ({})", table, columns, marks), params))
          return e;
      }
    }
    return std::nullopt;
  }

  // A reverse relation's list is complete: the objects it names point at
  // the owner afterwards, and the ones that pointed at it before and are no
  // longer listed are detached (their foreign key becomes NULL, or their
  // link row goes), which is what the reverse side of the relation says.
  std::optional<std::string> write_reverse(const LinkWrite& link) {
    const model::Field& via = *link.field->via_field;
    const model::Kind& target = *link.field->target_kind;
    if (via.relation == model::Relation::ManyToMany) {
      const std::string table = sql::quote(target.link_table(via));
      if (auto e = run(fmt::format("DELETE FROM {} WHERE target_id = ?", table), {link.owner}))
        return e;
      for (const auto& t : link.targets) {
        if (auto e = run(
                fmt::format("INSERT OR IGNORE INTO {} (owner_id, target_id) VALUES (?, ?)", table),
                {t, link.owner})) {
          return e;
        }
      }
      return std::nullopt;
    }
    const std::string table = sql::quote(target.name);
    const std::string column = sql::quote(sql::column_name(via));
    if (auto e = run(fmt::format("UPDATE {} SET {} = NULL WHERE {} = ?", table, column, column),
                     {link.owner})) {
      return e;
    }
    for (const auto& t : link.targets) {
      if (auto e =
              run(fmt::format("UPDATE {} SET {} = ? WHERE id = ?", table, column), {link.owner, t}))
        return e;
    }
    return std::nullopt;
  }

  static constexpr size_t kMaxStatements = 256;
  sqlite3* db_;
  std::vector<std::string> derived_;
  std::list<std::string> recent_;  // SQL texts, most recently used first
  std::unordered_map<std::string,
                     std::pair<std::unique_ptr<Statement>, std::list<std::string>::iterator>>
      statements_;
};

}  // namespace

OpenResult open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path,
                                  db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return {nullptr, msg};
  }
  sqlite3_busy_timeout(db, 10000);
  sqlite3_create_function_v2(db, "ll2_icontains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             icontains, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "ll2_upper", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, upper,
                             nullptr, nullptr, nullptr);
  // Checked (and created or upgraded) before anything else is changed: a
  // foreign or newer file is left exactly as it was.
  if (auto e = migrate_sqlite(db)) {
    sqlite3_close_v2(db);
    return {nullptr, fmt::format("{}: {}", path, *e)};
  }
  char* err = nullptr;
  if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", nullptr, nullptr,
                   &err) != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path, err != nullptr ? err : "?");
    sqlite3_free(err);
    sqlite3_close_v2(db);
    return {nullptr, msg};
  }
  return {std::make_unique<SqliteStore>(db), {}};
}

}  // namespace ll2::store
