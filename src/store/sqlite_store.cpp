#include <fmt/format.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <list>
#include <stdexcept>
#include <unordered_map>

#include "store/change_log.hpp"
#include "store/read_budget.hpp"
#include "store/sql_builder.hpp"
#include "store/sqlite_migrations.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

namespace ll2::store {

namespace {

using model::Field;
using model::Kind;

// How long a statement waits for a writer's lock before SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 10000;

// ll2_icontains(haystack, NEEDLE): PostgreSQL's UPPER(h) LIKE '%' || NEEDLE
// || '%' with the needle taken literally; NULL haystacks never match.
void icontains(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
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
  sqlite3_result_int(ctx, text::contains_upper(haystack, needle) ? 1 : 0);
}

// ll2_upper(text): PostgreSQL's UPPER (iexact and istartswith lookups).
void upper(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string u =
      text::unicode_upper(std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, u.data(), static_cast<int>(u.size()), SQLITE_TRANSIENT);
}

// SQLite's name for a result code's primary code, for log lines.
const char* result_name(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_ERROR:
      return "SQLITE_ERROR";
    case SQLITE_INTERNAL:
      return "SQLITE_INTERNAL";
    case SQLITE_PERM:
      return "SQLITE_PERM";
    case SQLITE_ABORT:
      return "SQLITE_ABORT";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_NOMEM:
      return "SQLITE_NOMEM";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_INTERRUPT:
      return "SQLITE_INTERRUPT";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_NOTFOUND:
      return "SQLITE_NOTFOUND";
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_PROTOCOL:
      return "SQLITE_PROTOCOL";
    case SQLITE_SCHEMA:
      return "SQLITE_SCHEMA";
    case SQLITE_TOOBIG:
      return "SQLITE_TOOBIG";
    case SQLITE_CONSTRAINT:
      return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH:
      return "SQLITE_MISMATCH";
    case SQLITE_MISUSE:
      return "SQLITE_MISUSE";
    case SQLITE_RANGE:
      return "SQLITE_RANGE";
    case SQLITE_NOTADB:
      return "SQLITE_NOTADB";
    default:
      return "SQLITE_ERROR";
  }
}

// "SQLITE_CORRUPT (11): database disk image is malformed (in: SELECT ...)":
// the code, SQLite's message and the statement, for the log.
std::string describe(sqlite3* db, int rc, std::string_view sql) {
  const int extended = sqlite3_extended_errcode(db);
  return fmt::format("{} ({}): {} (in: {})", result_name(rc),
                     (extended & 0xFF) == (rc & 0xFF) ? extended : rc, sqlite3_errmsg(db),
                     sql.substr(0, 200));
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    rc_ = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc_ != SQLITE_OK) {
      error_ = describe(db, rc_, sql);
      sqlite3_finalize(stmt_);
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  int result() const { return rc_; }
  const std::string& error() const { return error_; }
  sqlite3_stmt* get() const { return stmt_; }

  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // `stable`: the value outlives the statement's next reset (no copy).
  void bind(int index, const Value& v, bool stable = false) {
    if (const auto* i = std::get_if<int64_t>(&v)) {
      sqlite3_bind_int64(stmt_, index, *i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      sqlite3_bind_double(stmt_, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      sqlite3_bind_text(stmt_, index, s->data(), static_cast<int>(s->size()),
                        stable ? SQLITE_STATIC : SQLITE_TRANSIENT);
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
  int rc_ = SQLITE_OK;
  std::string error_;
};

// The header of the WAL index in shared memory (SQLite's walformat.html):
// every commit rewrites it before the commit returns, so while it reads as it
// did, the database holds what it did. Reading it takes no lock, where a read
// transaction takes four (file locks, system calls). The memory is the one
// SQLite maps for the connection, asked of its VFS (xShmMap of region 0, as
// the WAL code asks) each time: this file never opens or closes the -shm file
// itself, since closing any descriptor of a file drops every POSIX lock the
// process holds on it, SQLite's included.
namespace wal_header {

constexpr size_t kCopy = 48;         // WalIndexHdr; the index holds it twice
constexpr int kRegionBytes = 32768;  // the WAL index's regions
using Bytes = std::array<unsigned char, kCopy>;

// The header, when the connection has the index mapped and the header reads
// whole: a writer writes the second copy, then the first; the two read in the
// other order and equal are one header.
std::optional<Bytes> read(sqlite3* db) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
      file->pMethods->xShmMap == nullptr)
    return std::nullopt;
  volatile void* region = nullptr;
  if (file->pMethods->xShmMap(file, 0, kRegionBytes, 0, &region) != SQLITE_OK || region == nullptr)
    return std::nullopt;
  const auto* bytes = static_cast<const volatile unsigned char*>(region);
  Bytes first;
  Bytes second;
  for (size_t i = 0; i < kCopy; ++i) first[i] = bytes[i];
  std::atomic_thread_fence(std::memory_order_acquire);
  for (size_t i = 0; i < kCopy; ++i) second[i] = bytes[kCopy + i];
  if (first != second) return std::nullopt;
  return first;
}

}  // namespace wal_header

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, const model::Registry& schema, sql::ChangeLogSettings log)
      : Store(schema), log_(std::move(log)), db_(db) {}
  ~SqliteStore() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  std::optional<Row> load(const Kind& kind, const Value& id) override {
    Statement& st = prepared(sql::select_row(kind));
    st.reset();
    st.bind(1, id);
    std::optional<Row> row;
    if (step(st)) row = read_kind_row(st, kind);
    sqlite3_reset(st.get());
    return row;
  }

  std::vector<Value> related_ids(const Kind& owner_kind, const Field& field,
                                 const Value& owner) override {
    Statement& st = prepared(sql::select_related_ids(owner_kind, field));
    st.reset();
    st.bind(1, owner);
    std::vector<Value> ids;
    while (step(st)) ids.push_back(st.column(0));
    return ids;
  }

  std::vector<Row> load_many(const Kind& kind, const std::vector<Value>& ids) override {
    Statement& st = prepared(sql::select_rows_in(kind));
    st.reset();
    st.bind(1, sql::ids_parameter(ids));
    std::vector<Row> rows;
    while (step(st)) rows.push_back(read_kind_row(st, kind));
    return rows;
  }

  std::vector<std::pair<Value, Value>> related_ids_many(const Kind& owner_kind, const Field& field,
                                                        const std::vector<Value>& owners) override {
    Statement& st = prepared(sql::select_related_ids_in(owner_kind, field));
    st.reset();
    st.bind(1, sql::ids_parameter(owners));
    std::vector<std::pair<Value, Value>> pairs;
    while (step(st)) pairs.emplace_back(st.column(0), st.column(1));
    return pairs;
  }

  std::vector<std::pair<Value, Value>> path_values(const Kind& kind,
                                                   std::string_view path) override {
    Statement& st = prepared(sql::select_path_values(kind, path));
    st.reset();
    std::vector<std::pair<Value, Value>> pairs;
    while (step(st)) pairs.emplace_back(st.column(0), st.column(1));
    return pairs;
  }

  std::vector<Row> search_rows(const Kind& kind, const std::vector<std::string>& paths) override {
    Statement& st = prepared(sql::select_search_rows(kind, paths));
    st.reset();
    std::vector<Row> rows;
    while (step(st)) {
      Row row;
      for (int i = 0; i <= static_cast<int>(paths.size()); ++i) row.push_back(st.column(i));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::vector<std::pair<Value, Row>> owned_rows_many(const Field& field,
                                                     const std::vector<Value>& owners) override {
    Statement& st = prepared(sql::select_owned_rows_in(field));
    st.reset();
    st.bind(1, sql::ids_parameter(owners));
    std::vector<std::pair<Value, Row>> rows;
    while (step(st)) rows.emplace_back(st.column(0), read_kind_row(st, *field.target_kind, 1));
    return rows;
  }

  std::vector<Row> owned_rows(const Field& field, const Value& owner) override {
    Statement& st = prepared(sql::select_owned_rows(field));
    st.reset();
    st.bind(1, owner);
    std::vector<Row> rows;
    while (step(st)) rows.push_back(read_kind_row(st, *field.target_kind));
    return rows;
  }

  Page list(const ListQuery& query) override {
    const auto statements = sql::list(query);
    Page page;
    if (query.count) {
      Statement& st = bound(statements.count);
      if (step(st)) page.count = sqlite3_column_int64(st.get(), 0);
      sqlite3_reset(st.get());
    }
    if (!query.count || page.count > query.offset) {
      Statement& st = bound(statements.page);
      while (step(st)) page.ids.push_back(st.column(0));
    }
    return page;
  }

  bool exists(const Kind& kind, const Value& id) override {
    Statement& st = prepared(sql::select_exists(kind));
    st.reset();
    st.bind(1, id);
    const bool found = step(st);
    sqlite3_reset(st.get());
    return found;
  }

  // The generation every write bumps (ll2d_state): inside a snapshot, that
  // snapshot's; the same on every connection, so shared caches can use it.
  uint64_t data_version() override {
    Statement& st = prepared("SELECT generation FROM ll2d_state");
    uint64_t v = 0;
    if (step(st)) v = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
    sqlite3_reset(st.get());
    return v;
  }

  // Asked on an I/O thread, which must never wait: a database locked by a
  // writer (rollback journal, WAL recovery) answers nullopt at once. While
  // the WAL index's header is as it was at the last reading, so is the
  // generation.
  std::optional<uint64_t> generation_now() override {
    std::optional<wal_header::Bytes> header;
    if (wal_) {
      header = wal_header::read(db_);
      if (header && header == generation_header_) return generation_;
    }
    const std::optional<uint64_t> v = read_generation();
    // The header read before the generation: a commit between the two
    // leaves a newer generation under an older header, read again next time.
    generation_header_ = v ? header : std::nullopt;
    if (v) generation_ = *v;
    if (v && !wal_ && sqlite3_get_autocommit(db_) != 0) wal_ = journal_is_wal();
    return v;
  }

  std::optional<uint64_t> read_generation() {
    Statement& st = prepared("SELECT generation FROM ll2d_state");
    sqlite3_busy_timeout(db_, 0);
    const int rc = sqlite3_step(st.get());
    std::optional<uint64_t> v;
    if (rc == SQLITE_ROW)
      v = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
    else if (rc == SQLITE_DONE)
      v = 0;
    sqlite3_reset(st.get());
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    return v;
  }

  std::vector<std::pair<std::string, uint64_t>> kind_generations() override {
    Statement& st = prepared("SELECT kind, generation FROM ll2d_kind_state");
    st.reset();
    std::vector<std::pair<std::string, uint64_t>> out;
    while (step(st)) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)),
                       static_cast<uint64_t>(sqlite3_column_int64(st.get(), 1)));
    }
    return out;
  }

  std::optional<std::string> begin_read(Deadline deadline) override {
    if (auto e = exec("BEGIN")) return e;
    // The snapshot starts with the first read, so take it now.
    try {
      Statement& st = prepared("SELECT 1 FROM sqlite_master LIMIT 1");
      step(st);
      sqlite3_reset(st.get());
    } catch (const StoreError& e) {  // no snapshot: nothing may stay open
      exec("ROLLBACK");
      return e.what();
    }
    // Statements that run long are interrupted from inside (every
    // kProgressOps virtual-machine steps); short ones are checked by step().
    budget_.start(deadline);
    if (budget_.clock_deadline())
      sqlite3_progress_handler(db_, kProgressOps, &SqliteStore::past_deadline, this);
    return std::nullopt;
  }

  void end_read() override {
    if (budget_.active()) sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    budget_.stop();
    // A read transaction has nothing to lose: if it cannot commit, roll it
    // back, so the next request starts from a clean connection.
    if (sqlite3_get_autocommit(db_) == 0 && exec("COMMIT")) exec("ROLLBACK");
  }

  std::vector<std::pair<std::string, std::string>> sync_state() override {
    Statement& st = prepared(sql::select_sync_state());
    st.reset();
    std::vector<std::pair<std::string, std::string>> out;
    while (step(st)) {
      const Value key = st.column(0);
      const Value state = st.column(1);
      out.emplace_back(std::get<std::string>(key), std::get<std::string>(state));
    }
    return out;
  }

  std::vector<Row> statement_rows(const std::string& sql,
                                  const std::vector<Value>& params) override {
    return rows(sql, params);
  }

  std::vector<Value> unseen_ids(const Kind& kind, const std::string& walk) override {
    Statement& st = bound({sql::select_unseen_ids(kind), {walk}});
    std::vector<Value> ids;
    while (step(st)) ids.push_back(st.column(0));
    return ids;
  }

  std::optional<std::string> write(const WriteBatch& batch) override {
    if (auto e = begin_write()) return e;
    if (auto e = apply(batch)) {
      exec("ROLLBACK");
      return e;
    }
    return commit_write();
  }

  std::optional<std::string> begin_write(bool* others_wrote = nullptr) override {
    if (!writer_) {
      // A writer's working set (the tables and indexes an import touches)
      // stays in memory rather than being read back from the file.
      exec(fmt::format("PRAGMA cache_size = -{}", kWriterCacheKib));
      // Checkpoints copy the log into the file (and sync it): fewer, larger
      // ones write a page changed by many transactions once, not each time.
      exec(fmt::format("PRAGMA wal_autocheckpoint = {}", kWriterCheckpointPages));
      // Temporary tables and journals (a statement's undo pages) in memory,
      // not in files written page by page.
      exec("PRAGMA temp_store = MEMORY");
      writer_ = true;
    }
    if (auto e = exec("BEGIN IMMEDIATE")) return e;
    if (others_wrote != nullptr) {
      // data_version changes when another connection commits, never for
      // this one's own commits; read under the write lock.
      std::optional<uint64_t> now;
      try {
        now = pragma_data_version();
      } catch (const StoreError&) {
      }
      *others_wrote = !now || !last_write_version_ || *now != *last_write_version_;
      last_write_version_ = now;
    }
    return std::nullopt;
  }

  std::optional<std::string> write_part(const WriteBatch& batch) override {
    if (sqlite3_get_autocommit(db_) != 0) return "no write transaction is open";
    auto result = apply(batch);
    if (result && sqlite3_get_autocommit(db_) == 0) exec("ROLLBACK");
    return result;
  }

  std::optional<std::string> commit_write() override {
    if (auto e = exec("COMMIT")) {
      if (sqlite3_get_autocommit(db_) == 0) exec("ROLLBACK");
      return e;
    }
    return std::nullopt;
  }

  void abort_write() override {
    if (sqlite3_get_autocommit(db_) == 0) exec("ROLLBACK");
  }

  std::variant<size_t, std::string> defer_read_indexes() override {
    if (auto e = exec("BEGIN IMMEDIATE")) return *e;
    const auto done = [&](std::variant<size_t, std::string> result) {
      if (auto e = exec(std::holds_alternative<size_t>(result) ? "COMMIT" : "ROLLBACK"))
        return std::variant<size_t, std::string>(*e);
      return result;
    };
    const sql::SchemaPlan plan = sql::schema_plan(schema(), sql::Dialect::Sqlite);
    try {
      for (const auto& t : plan.tables) {
        if (t.name.starts_with("ll2d_")) continue;
        Statement& st = prepared(fmt::format("SELECT 1 FROM {} LIMIT 1", sql::quote(t.name)));
        st.reset();
        if (step(st)) {
          st.reset();
          return done(size_t{0});  // holds data: indexes stay
        }
      }
    } catch (const StoreError& e) {
      return done(std::string(e.what()));
    }
    forget_statements();
    size_t dropped = 0;
    for (const auto& i : plan.indexes) {
      if (!i.reads_only) continue;
      if (auto e = exec(fmt::format("DROP INDEX IF EXISTS {}", sql::quote(i.name))))
        return done(*e);
      ++dropped;
    }
    return done(dropped);
  }

  std::optional<std::string> build_deferred_indexes() override {
    // Every declared index that is missing, as opening the file writable
    // would; SQLite may sort with a helper thread meanwhile. Its sorter
    // keeps as much in memory as the page cache may hold: with the writer's
    // large cache it sorts each index in one piece, with a small one in
    // runs it merges, which took 0.8x the time. The runs go to temporary
    // files, not the writer's in-memory temporary storage, where each is
    // an in-memory journal the one thread copies through: 0.66-0.78x the
    // time again (both for all 187 indexes of a 1,000,000-event file,
    // alternated: docs/performance.md).
    exec("PRAGMA threads = 2");
    const int64_t cache = query_int(db_, "PRAGMA cache_size");
    const int64_t temp_store = query_int(db_, "PRAGMA temp_store");
    exec(fmt::format("PRAGMA cache_size = -{}", kIndexBuildCacheKib));
    exec("PRAGMA temp_store = FILE");
    forget_statements();
    auto e = migrate_sqlite(db_, schema());
    exec(fmt::format("PRAGMA temp_store = {}", temp_store));
    exec(fmt::format("PRAGMA cache_size = {}", cache));
    return e;
  }

  std::vector<ApiKey> api_keys() override {
    Statement& st = prepared(sql::kSelectApiKeys);
    st.reset();
    std::vector<ApiKey> keys;
    while (step(st)) keys.push_back(sql::api_key_from_row(read_row(st, 6)));
    return keys;
  }

  std::optional<std::string> add_api_key(const ApiKey& key) override {
    try {
      return run(sql::kInsertApiKey, sql::api_key_params(key));
    } catch (const StoreError& e) {  // a statement that did not prepare
      return std::string(e.what());
    }
  }

  std::variant<bool, std::string> revoke_api_key(const std::string& prefix,
                                                 const std::string& when) override {
    try {
      Statement& st = bound({sql::kRevokeApiKey, {when, prefix}});
      // RETURNING: the change is made by the first step, a row says it was.
      const bool found = step(st);
      sqlite3_reset(st.get());
      return found;
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
  }

 private:
  // No statement may be running while the schema changes (SQLite refuses a
  // DROP then), and the next use prepares afresh anyway.
  void forget_statements() {
    by_address_.clear();
    recent_.clear();
    statements_.clear();
  }

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
    if (!st->ok()) throw failure(st->result(), st->error());
    if (statements_.size() >= kMaxStatements) {
      statements_.erase(recent_.back());
      recent_.pop_back();
      by_address_.clear();  // it may have named the statement just dropped
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

  // One step of a read: true for a row, false when there are no more. Any
  // other result (a corrupt page, an I/O error, the deadline) is thrown,
  // with the statement reset so the connection stays usable. A statement
  // left before its last row must be reset by the caller.
  bool step(Statement& st) {
    const bool starts = sqlite3_stmt_busy(st.get()) == 0;
    if (starts ? budget_.spent_at_statement() : budget_.spent()) {
      sqlite3_reset(st.get());
      throw StoreError(StoreError::Cause::TimedOut, "the read's deadline passed");
    }
    const int rc = sqlite3_step(st.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      sqlite3_reset(st.get());
      return false;
    }
    const std::string message = describe(db_, rc, sqlite3_sql(st.get()));
    sqlite3_reset(st.get());
    throw failure(rc, message);
  }

  StoreError failure(int rc, const std::string& message) const {
    if ((rc & 0xFF) == SQLITE_INTERRUPT && budget_.spent())
      return {StoreError::Cause::TimedOut, "interrupted at the read's deadline"};
    return {StoreError::Cause::Failed, message};
  }

  // SQLite's progress handler: non-zero interrupts the running statement.
  static int past_deadline(void* self) {
    return static_cast<SqliteStore*>(self)->budget_.spent() ? 1 : 0;
  }

  static Row read_row(const Statement& st, int n) {
    Row row;
    row.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) row.push_back(st.column(i));
    return row;
  }

  // A kind's row from the statement's columns at `first` on (sql::row_columns).
  static Row read_kind_row(const Statement& st, const Kind& kind, int first = 0) {
    const int n = sql::row_width(kind);
    Row row;
    row.reserve(static_cast<size_t>(n));
    for (int i = first; i < first + n; ++i) row.push_back(st.column(i));
    sql::restore_integer_forms(kind, row);
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

  // PRAGMA data_version: changed by other connections' commits only (unlike
  // data_version(), the shared generation, which this one's bump too).
  std::optional<uint64_t> pragma_data_version() {
    Statement& st = prepared("PRAGMA data_version");
    std::optional<uint64_t> v;
    if (step(st)) v = static_cast<uint64_t>(sqlite3_column_int64(st.get(), 0));
    sqlite3_reset(st.get());
    return v;
  }

  // A batch, then (unless it holds only sync bookkeeping) the next
  // generation and the kinds it changed, in the same transaction.
  std::optional<std::string> apply(const WriteBatch& batch) {
    std::optional<std::string> result;
    const int64_t changes_before = sqlite3_total_changes64(db_);
    try {
      result = sql::write_batch(schema(), batch, session());
    } catch (const StoreError& e) {  // a statement that did not prepare
      return e.what();
    }
    // Nothing changed (bookkeeping only, or every row already as written):
    // the generation, and every cache keyed by it, stays.
    if (result || !batch.changes_data() || sqlite3_total_changes64(db_) == changes_before)
      return result;
    static const std::string bump =
        "INSERT INTO ll2d_state (singleton, generation) VALUES (1, 1) "
        "ON CONFLICT (singleton) DO UPDATE SET generation = generation + 1";
    if (auto e = run(bump, {})) return e;
    for (const auto& kind : sql::touched_kinds(schema(), batch)) {
      if (auto e = run(sql::mark_kind_changed(), {kind})) return e;
    }
    return std::nullopt;
  }

  // What sql::write_batch runs its statements through.
  sql::WriteSession session() {
    sql::WriteSession s;
    s.run = [this](const std::string& sql, const std::vector<Value>& params) {
      return run(sql, params);
    };
    s.query = [this](const std::string& sql, const std::vector<Value>& params) {
      return execute(sql, params);
    };
    s.changed_rows = [this] { return sqlite3_total_changes64(db_); };
    log_.apply(s);
    return s;
  }

  // Every row of a statement with parameters, all its columns.
  std::vector<Row> rows(const std::string& sql, const std::vector<Value>& params) {
    Statement& st = bound({sql, params});
    const int width = sqlite3_column_count(st.get());
    std::vector<Row> out;
    while (step(st)) out.push_back(read_row(st, width));
    return out;
  }

  // A write statement. Write statements come as the same std::string each
  // time (sql::write_batch builds each shape's text once), so they are found
  // by address before by text.
  std::optional<std::string> run(const std::string& sql, const std::vector<Value>& params) {
    Statement* found = nullptr;
    // The same address with other text is another (temporary) string.
    if (const auto it = by_address_.find(&sql);
        it != by_address_.end() && sql == sqlite3_sql(it->second->get())) {
      found = it->second;
    } else {
      found = &prepared(sql);
      by_address_.emplace(&sql, found);
    }
    Statement& st = *found;
    st.reset();
    // The parameters outlive the step and the reset that follows it.
    for (size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i], true);
    const int rc = sqlite3_step(st.get());
    std::optional<std::string> error;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) error = describe(db_, rc, sql);
    sqlite3_reset(st.get());
    sqlite3_clear_bindings(st.get());
    return error;
  }

  static constexpr size_t kMaxStatements = 256;
  static constexpr int kWriterCacheKib = 256 * 1024;    // SQLite's default is 2 MiB
  static constexpr int kWriterCheckpointPages = 16384;  // 64 MiB of log; the default is 1000
  static constexpr int kIndexBuildCacheKib = 4 * 1024;
  bool writer_ = false;  // the connection has written (its cache is a writer's)
  sql::ChangeLogSettings log_;
  std::unordered_map<const std::string*, Statement*> by_address_;  // write statements
  std::optional<uint64_t> last_write_version_;  // data_version at the last begin_write
  // About 10-50 µs of work between checks of the deadline inside a statement.
  static constexpr int kProgressOps = 1000;
  bool journal_is_wal() {
    Statement& st = prepared("PRAGMA journal_mode");
    st.reset();
    bool wal = false;
    if (sqlite3_step(st.get()) == SQLITE_ROW) {
      const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
      wal = mode != nullptr && std::string_view(mode) == "wal";
    }
    sqlite3_reset(st.get());
    return wal;
  }
  bool wal_ = false;                                    // in WAL mode: see generation_now
  std::optional<wal_header::Bytes> generation_header_;  // the header generation_ was read under
  uint64_t generation_ = 0;
  sqlite3* db_;
  ReadBudget budget_;              // of the current read snapshot
  std::list<std::string> recent_;  // SQL texts, most recently used first
  std::unordered_map<std::string,
                     std::pair<std::unique_ptr<Statement>, std::list<std::string>::iterator>>
      statements_;
};

}  // namespace

namespace {

namespace fs = std::filesystem;

// A file name as an SQLite URI ("file:" and the path, percent-encoded).
std::string file_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        std::strchr("/._-~", ch) != nullptr) {
      uri += ch;
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    }
  }
  return uri;
}

std::string directory_of(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? "." : dir.string();
}

// Why this process could not write the database (the file, or the directory
// where SQLite keeps its -wal and -shm files), or nullopt if it can.
// access() answers for the real user and knows read-only file systems
// (EROFS), also for root.
std::optional<std::string> not_writable(const std::string& path) {
  if (::access(path.c_str(), W_OK) != 0 && errno != ENOENT)
    return fmt::format("{} is not writable: {}", path, std::strerror(errno));
  const std::string dir = directory_of(path);
  if (::access(dir.c_str(), W_OK) != 0)
    return fmt::format("its directory {} is not writable: {}", dir, std::strerror(errno));
  return std::nullopt;
}

// Who owns what cannot be written, when that is not this process's user:
// the usual cause (imported as root, served as ll2d, or the reverse).
std::string whose(const std::string& path) {
  struct stat st {};
  const std::string what = ::stat(path.c_str(), &st) == 0 ? path : directory_of(path);
  if (::stat(what.c_str(), &st) != 0 || st.st_uid == ::geteuid()) return {};
  const auto name = [](uid_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw != nullptr ? std::string(pw->pw_name) : fmt::format("uid {}", uid);
  };
  const std::string owner = name(st.st_uid);
  return fmt::format(
      "; {} belongs to {} (this is {}): run ll2d as {} (sudo -u {} ll2d ...), or "
      "let {} write it",
      what, owner, name(::geteuid()), owner, owner, name(::geteuid()));
}

bool on_read_only_file_system(const std::string& path) {
  struct statvfs st {};
  return ::statvfs(directory_of(path).c_str(), &st) == 0 && (st.f_flag & ST_RDONLY) != 0;
}

// The first read of a connection: opening reads nothing, so this is where
// an unreadable file shows.
int probe(sqlite3* db, std::string* error) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK) *error = describe(db, rc, "SELECT count(*) FROM sqlite_master");
  sqlite3_finalize(stmt);
  return rc;
}

void add_functions(sqlite3* db) {
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_create_function_v2(db, "ll2_icontains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             icontains, nullptr, nullptr, nullptr);
  sqlite3_create_function_v2(db, "ll2_upper", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, upper,
                             nullptr, nullptr, nullptr);
}

struct Connection {
  sqlite3* db = nullptr;
  std::string error;
  std::string note;
};

// Opens without writing anything. A WAL database is read through its -shm
// file, which a read-only connection cannot create where the directory is
// not writable (a read-only file system, another user's directory). Then
// it is opened immutable: read as the main file holds it, without locks;
// what another process commits later is not seen (or, should it checkpoint
// while being read, shows as a storage error).
Connection open_read_only(const std::string& path) {
  Connection c;
  std::string first_error;
  for (const bool immutable : {false, true}) {
    const std::string uri = file_uri(path) + (immutable ? "?immutable=1" : "?mode=ro");
    int rc = sqlite3_open_v2(uri.c_str(), &c.db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
    std::string error;
    if (rc != SQLITE_OK) {
      error = c.db != nullptr ? describe(c.db, rc, "open") : "out of memory";
    } else {
      add_functions(c.db);  // the busy timeout first: a writer may hold the lock now
      rc = probe(c.db, &error);
    }
    if (rc == SQLITE_OK) {
      if (immutable) {
        c.note = on_read_only_file_system(path)
                     ? "on a read-only file system: opened immutable"
                     : "no -shm file and no right to create one: opened immutable, so what "
                       "another process writes to it is not seen until a restart";
      }
      return c;
    }
    sqlite3_close_v2(c.db);
    c.db = nullptr;
    // Only a missing -shm is worth the second try.
    const int primary = rc & 0xFF;
    if (immutable || (primary != SQLITE_CANTOPEN && primary != SQLITE_READONLY)) {
      c.error = fmt::format("cannot open {} read-only: {}", path,
                            first_error.empty() ? error : first_error);
      return c;
    }
    first_error = error;
  }
  return c;
}

// A file SQLite reads as a database with nothing in it (or a new one).
bool is_empty_database(sqlite3* db) {
  return query_int(db, "PRAGMA user_version") == 0 &&
         query_int(db, "SELECT count(*) FROM sqlite_master") == 0;
}

OpenResult refused(std::string error) {
  OpenResult out;
  out.error = std::move(error);
  return out;
}

std::string import_first(const std::string& path) {
  return fmt::format("import LL2 data into it first: ll2d import --db {} FILE...", path);
}

}  // namespace

OpenResult open_sqlite(const std::string& path, const model::Registry& schema,
                       const OpenOptions& options) {
  // SQLite's memory statistics take a process-wide lock on every allocation,
  // which every connection's thread would contend for; ll2d never reads them.
  // (Only possible before SQLite's first use; afterwards it changes nothing.)
  static const int no_memory_statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memory_statistics;
  std::error_code ec;
  if (options.must_exist && !fs::exists(path, ec))
    return refused(fmt::format("{} does not exist; {}", path, import_first(path)));
  OpenResult out;
  out.read_only = options.access == OpenOptions::Access::ReadOnly;
  if (options.access == OpenOptions::Access::Auto) {
    if (auto why = not_writable(path)) {
      out.read_only = true;
      out.note = *why;
    }
  }
  sqlite3* db = nullptr;
  if (out.read_only) {
    Connection c = open_read_only(path);
    if (c.db == nullptr) return refused(c.error);
    db = c.db;
    if (!c.note.empty()) out.note += (out.note.empty() ? "" : "; ") + c.note;
    // Nothing can be upgraded here: the schema must be this ll2d's already.
    if (auto problem = schema_problem(db, schema)) {
      const bool empty = is_empty_database(db);
      sqlite3_close_v2(db);
      return refused(fmt::format("{}: {} (opened read-only){}", path, *problem,
                                 empty ? "; " + import_first(path) : ""));
    }
    if (const size_t n = missing_indexes(db, schema)) {
      out.note += fmt::format(
          "{}{} indexes are missing (an import was cut short); some lists are slower until a "
          "writable open builds them",
          out.note.empty() ? "" : "; ", n);
    }
    out.store = std::make_unique<SqliteStore>(db, schema, sql::change_log_settings(options));
    return out;
  }

  // SQLite would open such a file read-only and fail at the first write.
  if (auto why = not_writable(path)) return refused(*why + whose(path));
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.must_exist ? 0 : SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path,
                                  db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    return refused(msg);
  }
  add_functions(db);
  if (options.must_exist) {
    std::string error;
    if (probe(db, &error) != SQLITE_OK) {
      sqlite3_close_v2(db);
      return refused(fmt::format("cannot read {}: {}", path, error));
    }
    if (is_empty_database(db)) {  // serve never starts a database of its own
      const std::string problem = schema_problem(db, schema).value_or("the database is empty");
      sqlite3_close_v2(db);
      return refused(fmt::format("{}: {}; {}", path, problem, import_first(path)));
    }
  }
  // Checked (and created or upgraded) before anything else is changed: a
  // foreign or newer file is left exactly as it was.
  if (auto e = migrate_sqlite(db, schema)) {
    sqlite3_close_v2(db);
    return refused(fmt::format("{}: {}", path, *e));
  }
  char* err = nullptr;
  std::string pragmas = options.bulk_load
                            ? "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF"
                            : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL";
  if (options.cache_kib > 0) pragmas += fmt::format("; PRAGMA cache_size = -{}", options.cache_kib);
  if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = fmt::format("cannot open {}: {}", path, err != nullptr ? err : "?");
    sqlite3_free(err);
    sqlite3_close_v2(db);
    return refused(msg);
  }
  out.store = std::make_unique<SqliteStore>(db, schema, sql::change_log_settings(options));
  return out;
}

CheckReport check_sqlite(const std::string& path, const model::Registry& schema, bool quick) {
  CheckReport report;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    report.problems.push_back(fmt::format("{} does not exist", path));
    return report;
  }
  Connection c = open_read_only(path);
  if (c.db == nullptr) {
    report.problems.push_back(c.error);
    return report;
  }
  sqlite3* db = c.db;
  // Runs a statement to its end, collecting the first column of each row.
  const auto rows = [db](const std::string& sql, std::vector<std::string>& out) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = sqlite3_step(stmt);
      if (rc != SQLITE_ROW) break;
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out.emplace_back(t != nullptr ? t : "NULL");
    }
    std::optional<std::string> error;
    if (rc != SQLITE_DONE) error = describe(db, rc, sql);
    sqlite3_finalize(stmt);
    return error;
  };

  // At most 20 findings: enough to name the damage without flooding.
  std::vector<std::string> findings;
  const char* pragma = quick ? "quick_check" : "integrity_check";
  if (auto e = rows(fmt::format("PRAGMA {}(20)", pragma), findings)) {
    report.integrity = *e;
    report.problems.push_back(fmt::format("PRAGMA {} failed: {}", pragma, *e));
  } else if (findings.size() == 1 && findings[0] == "ok") {
    report.integrity = "ok";
  } else {
    // Name the table or index whose root page a finding is about, when it is one.
    std::vector<std::string> roots;
    rows("SELECT rootpage || ' ' || type || ' ' || name FROM sqlite_master WHERE rootpage > 0",
         roots);
    std::vector<std::string> lines;  // a finding may span lines
    for (const auto& f : findings) {
      for (size_t pos = 0; pos <= f.size();) {
        const size_t nl = std::min(f.find('\n', pos), f.size());
        if (nl > pos) lines.push_back(f.substr(pos, nl - pos));
        pos = nl + 1;
      }
    }
    for (const auto& f : lines) {
      std::string line = f;
      const size_t at = f.starts_with("Page ") ? 5 : f.starts_with("Tree ") ? 5 : 0;
      if (at != 0) {
        const std::string page = f.substr(at, f.find_first_not_of("0123456789", at) - at);
        for (const auto& r : roots) {
          if (!page.empty() && r.starts_with(page + " "))
            line += fmt::format(" (the root of {})", r.substr(page.size() + 1));
        }
      }
      report.integrity += "\n    " + line;
    }
    report.problems.push_back(fmt::format("PRAGMA {} found damage:{}", pragma, report.integrity));
  }

  report.schema_version = query_int(db, "PRAGMA user_version");
  if (auto problem = schema_problem(db, schema)) {
    report.problems.push_back("schema: " + *problem);
  } else if (const size_t n = missing_indexes(db, schema)) {
    report.notes.push_back(fmt::format(
        "{} indexes are missing (an import into an empty database builds them last, and this one "
        "was cut short): the data is whole; ll2d import or a writable ll2d serve builds them",
        n));
  }

  std::vector<std::string> tables;
  if (auto e = rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                    "'sqlite_%' ORDER BY name",
                    tables)) {
    report.problems.push_back("cannot list the tables: " + *e);
  }
  for (const auto& table : tables) {
    std::vector<std::string> count;
    // NOT INDEXED: count the table's own pages, not its smallest index's.
    if (auto e =
            rows(fmt::format("SELECT count(*) FROM {} NOT INDEXED", sql::quote(table)), count)) {
      report.rows.emplace_back(table, -1);
      report.problems.push_back(fmt::format("cannot count the rows of {}: {}", table, *e));
    } else {
      report.rows.emplace_back(table, count.empty() ? 0 : std::stoll(count[0]));
    }
  }
  sqlite3_close_v2(db);
  return report;
}

}  // namespace ll2::store
