// The store on PostgreSQL (libpq): the same schema and statements as on
// SQLite, in PostgreSQL's dialect. One connection per store object (the
// engine keeps one per database thread). Every call is bounded: a query waits
// for its answer no longer than the read's deadline (or kMaxWait), and a
// connection that failed says so (StoreError Unavailable) so the engine can
// answer 503 and open a new one for the next request.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <list>
#include <map>
#include <set>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "store/change_log.hpp"
#include "store/migrations.hpp"
#include "store/read_budget.hpp"
#include "store/sql_builder.hpp"
#include "store/store.hpp"

namespace ll2::store {

namespace {

using model::Field;
using model::Kind;
using Clock = std::chrono::steady_clock;

constexpr auto kMaxWait = std::chrono::seconds(30);  // any one round trip without a deadline
constexpr size_t kMaxStatements = 256;
// A store's connections keep one plan per prepared statement. Left to
// choose (plan_cache_mode = auto), PostgreSQL plans the reads of a page's
// rows by id for each call: one id costs less than the 10 a shared plan
// assumes, so the shared plan never wins, and planning took as much of the
// server's time as executing. List queries are planned each time instead
// (PostgresStore::Plan). A plan shared by every call must still look ids up
// in an index rather than scan a small table (a link table of 1,200 rows:
// 0.02 ms against 0.2 ms), which random_page_cost at the default 4 (a disk
// seek) does not give it; 1.1 prices an index read as a database in memory
// or on an SSD has it. Both are this connection's only; an error (a server
// before 12 has no plan_cache_mode) leaves the server's own: slower, not wrong.
constexpr const char* kSessionSettings =
    "SET random_page_cost = 1.1; SET plan_cache_mode = force_generic_plan";
// Serializes writers (imports through any node) and schema upgrades.
constexpr int64_t kWriteLock = 0x6c6c3264'0001;    // "ll2d" 1
constexpr int64_t kUpgradeLock = 0x6c6c3264'0002;  // "ll2d" 2
// Type OIDs (pg_type.h) of the results we read.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701,
              kNumeric = 1700;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// `?` placeholders numbered as PostgreSQL wants them ($1, $2, ...); quoted
// text and identifiers are copied as they are.
std::string numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (const char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

// Integers and floats are sent with their type, so a float compared with an
// integer column compares as in SQLite; text and NULL take the type the
// statement gives them.
Oid param_type(const Value& v) {
  if (std::holds_alternative<int64_t>(v)) return kInt8;
  if (std::holds_alternative<double>(v)) return kFloat8;
  return 0;
}

std::string param_text(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);  // shortest exact
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

Value column(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col) != 0) return std::monostate{};
  const char* text = PQgetvalue(r, row, col);
  const int length = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case kInt8:
    case kInt4:
    case kInt2:
      return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
    case kFloat4:
    case kFloat8:
      return std::strtod(text, nullptr);
    case kNumeric:
      if (std::string_view(text).find_first_of(".eE") == std::string_view::npos)
        return static_cast<int64_t>(std::strtoll(text, nullptr, 10));
      return std::strtod(text, nullptr);
    case kBool:
      return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
    default:
      return std::string(text, static_cast<size_t>(length));
  }
}

Row read_row(const PGresult* r, int row, int first, int n) {
  Row out;
  out.reserve(static_cast<size_t>(n));
  for (int i = first; i < first + n; ++i) out.push_back(column(r, row, i));
  return out;
}

// A kind's row from the result's columns at `first` on (sql::row_columns).
Row read_kind_row(const PGresult* r, int row, int first, const Kind& kind) {
  Row out = read_row(r, row, first, sql::row_width(kind));
  sql::restore_integer_forms(kind, out);
  return out;
}

// Every row of a result, each read by `read(row_number)`, into a vector sized once.
template <class Read>
auto read_rows(const PGresult* r, Read read) {
  std::vector<std::invoke_result_t<Read, int>> out;
  const int n = PQntuples(r);
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(read(i));
  return out;
}

// SQLSTATE classes that mean the server or the connection is gone (08:
// connection exception; 57P01-57P03: shutting down, cannot connect now;
// 53: out of resources, e.g. too many connections).
bool unavailable_state(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
         state.starts_with("53");
}

std::string one_line(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// A connection string with its password hidden, for messages and logs.
std::string redacted(const std::string& url) {
  return display_name(url);
}

class PostgresStore final : public Store {
 public:
  PostgresStore(PGconn* conn, const model::Registry& schema, sql::ChangeLogSettings log)
      : Store(schema), conn_(conn), log_(std::move(log)) {}
  ~PostgresStore() override { PQfinish(conn_); }

  std::optional<Row> load(const Kind& kind, const Value& id) override {
    const Result r = query(sql::select_row(kind), {id});
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return read_kind_row(r.get(), 0, 0, kind);
  }

  std::vector<Value> related_ids(const Kind& owner_kind, const Field& field,
                                 const Value& owner) override {
    const Result r = query(sql::select_related_ids(owner_kind, field), {owner});
    return read_rows(r.get(), [&](int i) { return column(r.get(), i, 0); });
  }

  std::vector<Row> load_many(const Kind& kind, const std::vector<Value>& ids) override {
    return read_all({{BatchRead::What::Rows, &kind, nullptr, ids}})[0].rows;
  }

  std::vector<std::pair<Value, Value>> related_ids_many(const Kind& owner_kind, const Field& field,
                                                        const std::vector<Value>& owners) override {
    return read_all({{BatchRead::What::RelatedIds, &owner_kind, &field, owners}})[0].pairs;
  }

  // One round trip for all of them: sent in libpq's pipeline mode.
  void read_each(const std::vector<BatchRead>& reads,
                 const std::function<void(size_t, BatchAnswer&)>& take) override {
    std::vector<Statement> statements;
    statements.reserve(reads.size());
    for (const auto& r : reads)
      statements.push_back({batch_sql(r), {sql::ids_array_parameter(r.ids)}});
    const std::vector<Result> results = pipelined(statements);
    for (size_t i = 0; i < reads.size(); ++i) {
      BatchAnswer answer;
      read_answer(reads[i], results[i].get(), answer);
      take(i, answer);
    }
  }

  std::vector<std::pair<Value, Value>> path_values(const Kind& kind,
                                                   std::string_view path) override {
    const Result r = query(sql::select_path_values(kind, path), {});
    std::vector<std::pair<Value, Value>> pairs;
    pairs.reserve(static_cast<size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i)
      pairs.emplace_back(column(r.get(), i, 0), column(r.get(), i, 1));
    return pairs;
  }

  std::vector<Row> search_rows(const Kind& kind, const std::vector<std::string>& paths) override {
    const Result r = query(sql::select_search_rows(kind, paths), {});
    std::vector<Row> rows;
    rows.reserve(static_cast<size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i)
      rows.push_back(read_row(r.get(), i, 0, static_cast<int>(paths.size()) + 1));
    return rows;
  }

  std::vector<std::pair<Value, Row>> owned_rows_many(const Field& field,
                                                     const std::vector<Value>& owners) override {
    return read_all({{BatchRead::What::OwnedRows, nullptr, &field, owners}})[0].owned;
  }

  std::vector<Row> owned_rows(const Field& field, const Value& owner) override {
    const Result r = query(sql::select_owned_rows(field), {owner});
    return read_rows(r.get(),
                     [&](int i) { return read_kind_row(r.get(), i, 0, *field.target_kind); });
  }

  // The count and the page in one round trip (a page past the count is
  // empty), each planned for its values.
  Page list(const ListQuery& q) override {
    auto statements = sql::list(q, sql::Dialect::Postgres);
    std::vector<Statement> run;
    if (q.count)
      run.push_back(
          {std::move(statements.count.sql), std::move(statements.count.params), Plan::Each});
    run.push_back({std::move(statements.page.sql), std::move(statements.page.params), Plan::Each});
    const std::vector<Result> results = pipelined(run);
    Page page;
    if (q.count && PQntuples(results[0].get()) > 0)
      page.count = std::strtoll(PQgetvalue(results[0].get(), 0, 0), nullptr, 10);
    const PGresult* ids = results.back().get();
    for (int i = 0; i < PQntuples(ids); ++i) page.ids.push_back(column(ids, i, 0));
    return page;
  }

  bool exists(const Kind& kind, const Value& id) override {
    return PQntuples(query(sql::select_exists(kind), {id}).get()) > 0;
  }

  uint64_t data_version() override {
    if (in_snapshot_) return snapshot_version_;
    const Result r = query("SELECT generation FROM ll2d_state", {});
    return PQntuples(r.get()) > 0 ? std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10) : 0;
  }

  std::vector<std::pair<std::string, uint64_t>> kind_generations() override {
    const Result r = query("SELECT kind, generation FROM ll2d_kind_state", {});
    return read_rows(r.get(), [&](int i) {
      return std::pair<std::string, uint64_t>(
          PQgetvalue(r.get(), i, 0), std::strtoull(PQgetvalue(r.get(), i, 1), nullptr, 10));
    });
  }

  // One round trip: the snapshot (REPEATABLE READ: every statement of the
  // request sees the same commit) and the generation the caches are keyed
  // by, read inside the snapshot.
  std::optional<std::string> begin_read(Deadline deadline) override {
    reconnect_if_broken();
    budget_.start(deadline);
    try {
      keep_statement_timeout();
      const Result r = simple(
          "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT generation FROM ll2d_state");
      snapshot_version_ =
          PQntuples(r.get()) > 0 ? std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10) : 0;
    } catch (const StoreError&) {
      budget_.stop();
      finish_transaction();
      throw;  // the engine answers 503 or 500 from the cause
    }
    in_snapshot_ = true;
    return std::nullopt;
  }

  // The server's own bound on a statement: a backstop, since ll2d cancels
  // at the read's deadline itself (next_result). It is the read's budget in
  // whole seconds, so it stays the same from one read to the next and is set
  // on the connection only when it changes, not in every read's transaction
  // (one statement fewer per request).
  void keep_statement_timeout() {
    int64_t timeout_ms = 0;  // none
    if (const Deadline clock = budget_.clock_deadline()) {
      const auto left = std::chrono::ceil<std::chrono::seconds>(*clock - Clock::now());
      timeout_ms = std::max<int64_t>(1, left.count()) * 1000;
    }
    if (timeout_ms != statement_timeout_ms_) set_statement_timeout(std::to_string(timeout_ms));
    statement_timeout_ms_ = timeout_ms;
  }

  // Not counted as one of the read's statements.
  void set_statement_timeout(const std::string& value) {
    const ReadBudget saved = budget_;
    budget_.stop();
    simple(fmt::format("SET statement_timeout = {}", value));
    budget_ = saved;
  }

  // A read-only transaction that went well is committed without waiting:
  // COMMIT is sent now and its answer read before the next statement, which
  // saves a round trip per request (the snapshot ends at once either way).
  void end_read() override {
    in_snapshot_ = false;
    budget_.stop();
    if (!broken_ && PQstatus(conn_) == CONNECTION_OK &&
        PQtransactionStatus(conn_) == PQTRANS_INTRANS) {
      if (PQsendQuery(conn_, "COMMIT") != 0) {
        commit_pending_ = true;
        return;
      }
      broken_ = true;
      return;
    }
    finish_transaction();
  }

  std::vector<std::pair<std::string, std::string>> sync_state() override {
    const Result r = query(sql::select_sync_state(), {});
    return read_rows(r.get(), [&](int i) {
      return std::pair<std::string, std::string>(PQgetvalue(r.get(), i, 0),
                                                 PQgetvalue(r.get(), i, 1));
    });
  }

  std::vector<Row> statement_rows(const std::string& sql,
                                  const std::vector<Value>& params) override {
    if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) reconnect_if_broken();
    return rows(sql, params);
  }

  std::vector<Value> unseen_ids(const Kind& kind, const std::string& walk) override {
    const Result r = query(sql::select_unseen_ids(kind), {walk});
    return read_rows(r.get(), [&](int i) { return column(r.get(), i, 0); });
  }

  std::optional<std::string> write(const WriteBatch& batch) override {
    if (auto e = begin_write()) return e;
    if (auto e = apply(batch)) {
      abort_write();
      return e;
    }
    return commit_write();
  }

  std::optional<std::string> begin_write(bool* others_wrote = nullptr) override {
    try {
      reconnect_if_broken();
      if (statement_timeout_ms_ >= 0) {
        // Writes are bounded as the server's settings say, not by a read's budget.
        set_statement_timeout("DEFAULT");
        statement_timeout_ms_ = -1;
      }
      // Every writer counts its commits in ll2d_state.generation (under the
      // lock): anything else than this store's last commit left means
      // another writer came between.
      const Result r = simple(
          fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}); SELECT generation FROM ll2d_state",
                      kWriteLock));
      const std::optional<uint64_t> now =
          PQntuples(r.get()) > 0
              ? std::optional<uint64_t>(std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10))
              : std::nullopt;
      if (others_wrote != nullptr)
        *others_wrote = !now || !committed_generation_ || *now != *committed_generation_;
      writing_generation_ = now;
      changed_data_ = false;
      touched_.clear();
      return std::nullopt;
    } catch (const StoreError& e) {
      abort_write();
      return std::string(e.what());
    }
  }

  std::optional<std::string> write_part(const WriteBatch& batch) override {
    if (broken_ || PQtransactionStatus(conn_) != PQTRANS_INTRANS)
      return std::string("no write transaction is open");
    auto result = apply(batch);
    if (result) abort_write();
    return result;
  }

  std::optional<std::string> commit_write() override {
    try {
      if (broken_ || PQtransactionStatus(conn_) != PQTRANS_INTRANS)
        throw StoreError(StoreError::Cause::Failed, "the write transaction was lost");
      if (!changed_data_) {
        // Bookkeeping only (ll2d sync's state): what is served is unchanged,
        // so the generation, and every cache keyed by it, stays.
        simple("COMMIT");
        committed_generation_ = writing_generation_;
        return std::nullopt;
      }
      // Readers key their caches by the generation (and the kinds' marks);
      // the notification carries the new number, so a listener knows it
      // without asking (GenerationWatcher).
      simple("UPDATE ll2d_state SET generation = generation + 1");
      for (const auto& kind : touched_) {
        if (auto e = run(sql::mark_kind_changed(), {kind}))
          throw StoreError(StoreError::Cause::Failed, *e);
      }
      simple("SELECT pg_notify('ll2d_changed', generation::text) FROM ll2d_state; COMMIT");
      committed_generation_ =
          writing_generation_ ? std::optional<uint64_t>(*writing_generation_ + 1) : std::nullopt;
      return std::nullopt;
    } catch (const StoreError& e) {
      committed_generation_.reset();
      abort_write();
      return std::string(e.what());
    }
  }

  void abort_write() override {
    if (!broken_ && PQtransactionStatus(conn_) != PQTRANS_IDLE) simple_ignore("ROLLBACK");
  }

  // One ANALYZE per table this store wrote (pg_stat_user_tables would not
  // know yet: a backend reports its writes up to a second late), so no one
  // statement waits long.
  std::optional<std::string> refresh_statistics() override {
    try {
      reconnect_if_broken();
      while (!written_.empty()) {
        simple(fmt::format("ANALYZE {}", sql::quote(*written_.begin())));
        written_.erase(written_.begin());
      }
      return std::nullopt;
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
  }

  std::vector<ApiKey> api_keys() override {
    reconnect_if_broken();
    const Result r = query(sql::kSelectApiKeys, {});
    return read_rows(r.get(),
                     [&](int i) { return sql::api_key_from_row(read_row(r.get(), i, 0, 6)); });
  }

  std::optional<std::string> add_api_key(const ApiKey& key) override {
    try {
      reconnect_if_broken();
      return run(sql::kInsertApiKey, sql::api_key_params(key));
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
  }

  std::variant<bool, std::string> revoke_api_key(const std::string& prefix,
                                                 const std::string& when) override {
    try {
      reconnect_if_broken();
      return PQntuples(query(sql::kRevokeApiKey, {when, prefix}).get()) > 0;
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
  }

 private:
  // Whether a statement is kept prepared on the connection, with one plan
  // for every value (the session's plan_cache_mode, see kSessionSettings),
  // or parsed and planned for its values each time (list queries: what a
  // filter matches changes their best plan, and their execution outweighs
  // their planning).
  enum class Plan { Kept, Each };

  // A statement ready to be sent: its prepared name (or text and parameter
  // types, planned each time) and its parameters as text.
  struct Bound {
    const std::string* name = nullptr;
    std::string text;
    std::vector<Oid> types;
    std::vector<std::string> texts;
    std::vector<const char*> values;  // into texts; null: NULL
  };

  // Prepares a kept statement once per connection and shape (a round trip
  // the first time only).
  Bound bind(const std::string& sql, const std::vector<Value>& params, Plan plan = Plan::Kept) {
    std::string key = sql;
    key += '\0';
    Bound b;
    b.types.reserve(params.size());
    for (const auto& p : params) {
      b.types.push_back(param_type(p));
      key += b.types.back() == kInt8 ? 'i' : b.types.back() == kFloat8 ? 'f' : 't';
    }
    if (plan == Plan::Kept)
      b.name = &prepared(key, sql, b.types);
    else
      b.text = numbered(sql);
    b.texts.reserve(params.size());
    for (const auto& p : params) b.texts.push_back(param_text(p));
    for (size_t i = 0; i < params.size(); ++i)
      b.values.push_back(std::holds_alternative<std::monostate>(params[i]) ? nullptr
                                                                           : b.texts[i].c_str());
    return b;
  }

  bool send(const Bound& b) {
    const int n = static_cast<int>(b.values.size());
    if (b.name == nullptr)
      return PQsendQueryParams(conn_, b.text.c_str(), n, b.types.data(), b.values.data(), nullptr,
                               nullptr, 0) != 0;
    return PQsendQueryPrepared(conn_, b.name->c_str(), n, b.values.data(), nullptr, nullptr, 0) !=
           0;
  }

  // Runs a statement with its parameters (prepared); throws StoreError when
  // it fails.
  Result query(const std::string& sql, const std::vector<Value>& params) {
    const Bound b = bind(sql, params);
    check_deadline();
    if (!send(b)) throw connection_failure("sending a query");
    return last_result(sql);
  }

  struct Statement {
    std::string sql;
    std::vector<Value> params;
    Plan plan = Plan::Kept;
  };

  // Statements sent together in pipeline mode, in one round trip; their
  // results in order, or the first failure thrown (the ones after a failed
  // statement are not run). Prepared beforehand, so that a name evicted by
  // prepared() is never one this pipeline uses.
  std::vector<Result> pipelined(const std::vector<Statement>& statements) {
    std::vector<Result> out;
    if (statements.size() == 1 && statements[0].plan == Plan::Kept) {
      out.push_back(query(statements[0].sql, statements[0].params));
      return out;
    }
    std::vector<Bound> bound;
    bound.reserve(statements.size());
    for (const auto& s : statements) bound.push_back(bind(s.sql, s.params, s.plan));
    check_deadline();
    if (PQenterPipelineMode(conn_) == 0) throw connection_failure("entering pipeline mode");
    for (const auto& b : bound) {
      if (!send(b)) throw connection_failure("sending a query");
    }
    if (PQpipelineSync(conn_) == 0) throw connection_failure("sending a query");
    Waiting waiting = start_waiting();
    std::optional<StoreError> error;
    for (const auto& s : statements) {
      Result last;
      while (Result r = next_result(waiting)) {  // null: this statement's results end
        const ExecStatusType status = PQresultStatus(r.get());
        // The first failure; the statements after it answer PIPELINE_ABORTED.
        if (status != PGRES_TUPLES_OK && !error) error = failure(r.get(), s.sql);
        last = std::move(r);
      }
      out.push_back(std::move(last));
    }
    const Result sync = next_result(waiting);
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC ||
        PQexitPipelineMode(conn_) == 0)
      throw connection_failure("ending a pipeline");
    end_waiting(waiting, statements.back().sql);
    if (error) throw std::move(*error);
    return out;
  }

  // The statement of a BatchRead: its ids or owners are its one parameter.
  static std::string batch_sql(const BatchRead& r) {
    switch (r.what) {
      case BatchRead::What::Rows:
        return sql::select_rows_in(*r.kind, sql::Dialect::Postgres);
      case BatchRead::What::RelatedIds:
        return sql::select_related_ids_in(*r.kind, *r.field, sql::Dialect::Postgres);
      case BatchRead::What::OwnedRows:
        return sql::select_owned_rows_in(*r.field, sql::Dialect::Postgres);
    }
    return {};
  }

  static void read_answer(const BatchRead& read, const PGresult* r, BatchAnswer& out) {
    const int n = PQntuples(r);
    switch (read.what) {
      case BatchRead::What::Rows:
        for (int i = 0; i < n; ++i) out.rows.push_back(read_kind_row(r, i, 0, *read.kind));
        break;
      case BatchRead::What::RelatedIds:
        for (int i = 0; i < n; ++i) out.pairs.emplace_back(column(r, i, 0), column(r, i, 1));
        break;
      case BatchRead::What::OwnedRows:
        for (int i = 0; i < n; ++i)
          out.owned.emplace_back(column(r, i, 0), read_kind_row(r, i, 1, *read.field->target_kind));
        break;
    }
  }

  // A batch of the open write transaction; what it changes is marked at the
  // commit (commit_write).
  std::optional<std::string> apply(const WriteBatch& batch) {
    std::optional<std::string> result;
    try {
      result = sql::write_batch(schema(), batch, session());
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
    if (!result && batch.changes_data()) {
      changed_data_ = true;
      for (auto& kind : sql::touched_kinds(schema(), batch)) touched_.insert(std::move(kind));
      written_.merge(sql::tables_written(batch));
    }
    return result;
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
    s.changed_rows = [this] { return changed_rows_; };
    s.dialect = sql::Dialect::Postgres;
    log_.apply(s);
    return s;
  }

  // A statement as the error message of `run` wants it (writes); the rows
  // it changed are counted.
  std::optional<std::string> run(const std::string& sql, const std::vector<Value>& params) {
    try {
      const Result r = query(sql, params);
      changed_rows_ += std::strtoll(PQcmdTuples(r.get()), nullptr, 10);
      return std::nullopt;
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
  }

  // Every row of a statement with parameters, all its columns.
  std::vector<Row> rows(const std::string& sql, const std::vector<Value>& params) {
    const Result r = query(sql, params);
    return read_rows(r.get(), [&](int i) { return read_row(r.get(), i, 0, PQnfields(r.get())); });
  }

  // Statements without parameters, several separated by `;`, in one round
  // trip; the last result is returned.
  Result simple(const std::string& sql) {
    check_deadline();
    if (PQsendQuery(conn_, sql.c_str()) == 0) throw connection_failure("sending a query");
    return last_result(sql);
  }

  const std::string& prepared(const std::string& key, const std::string& sql,
                              const std::vector<Oid>& types) {
    if (const auto it = statements_.find(key); it != statements_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.second);
      return it->second.first;
    }
    if (statements_.size() >= kMaxStatements) {
      const std::string& old = recent_.back();
      const auto it = statements_.find(old);
      // Freed on the server too; a failure here only leaks a name until the
      // connection closes, so it is not worth failing the request for.
      simple_ignore(fmt::format("DEALLOCATE \"{}\"", it->second.first));
      statements_.erase(it);
      recent_.pop_back();
    }
    std::string name = fmt::format("ll2d_{}", ++next_statement_);
    check_deadline();
    if (PQsendPrepare(conn_, name.c_str(), numbered(sql).c_str(), static_cast<int>(types.size()),
                      types.data()) == 0)
      throw connection_failure("preparing a statement");
    last_result(sql);  // throws if it did not prepare: nothing is cached
    recent_.push_front(key);
    return statements_.emplace(key, std::pair{std::move(name), recent_.begin()})
        .first->second.first;
  }

  void simple_ignore(const std::string& sql) {
    try {
      simple(sql);
    } catch (const StoreError&) {  // see prepared(): harmless
    }
  }

  // How long the results of what was sent are waited for: until the read's
  // deadline, when the query is cancelled and its answer drained (so the
  // connection stays usable); a server that does not answer even then
  // (kMaxWait) is given up on.
  struct Waiting {
    Clock::time_point give_up;
    Deadline deadline;
    bool cancelled = false;
  };
  Waiting start_waiting() const { return {Clock::now() + kMaxWait, budget_.clock_deadline()}; }

  // The next result (null: the current statement's results end), once it
  // is there; throws if the connection fails or the server does not answer.
  Result next_result(Waiting& w) {
    while (PQisBusy(conn_) != 0) {
      Clock::time_point until = w.give_up;
      if (w.deadline && !w.cancelled) until = std::min(until, *w.deadline);
      const auto left = until - Clock::now();
      if (left <= Clock::duration::zero()) {
        if (w.deadline && !w.cancelled && Clock::now() < w.give_up) {
          cancel();
          w.cancelled = true;
          continue;
        }
        broken_ = true;  // the engine opens a new connection
        throw StoreError(StoreError::Cause::Unavailable, "no answer from PostgreSQL in time");
      }
      pollfd p{PQsocket(conn_), POLLIN, 0};
      if (p.fd < 0) throw connection_failure("waiting for an answer");
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(left).count();
      ::poll(&p, 1, static_cast<int>(std::min<int64_t>(wait, 1000)));
      if (PQconsumeInput(conn_) == 0) throw connection_failure("reading an answer");
    }
    return Result(PQgetResult(conn_));
  }

  // After the last result: throws if the connection failed or the wait
  // cancelled the query.
  void end_waiting(const Waiting& w, std::string_view sql) {
    if (PQstatus(conn_) == CONNECTION_BAD) throw connection_failure("reading an answer");
    if (w.cancelled)
      throw StoreError(
          StoreError::Cause::TimedOut,
          fmt::format("cancelled at the read's deadline (in: {})", sql.substr(0, 120)));
  }

  // Waits (bounded, see Waiting) for the results of what was sent; returns
  // the last one, or throws with the first error.
  Result last_result(std::string_view sql) {
    Waiting waiting = start_waiting();
    Result last;
    std::optional<StoreError> error;
    while (Result r = next_result(waiting)) {
      const ExecStatusType status = PQresultStatus(r.get());
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && !error)
        error = failure(r.get(), sql);
      last = std::move(r);
    }
    end_waiting(waiting, sql);
    if (error) throw std::move(*error);
    return last;
  }

  StoreError failure(const PGresult* r, std::string_view sql) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const std::string_view code = state != nullptr ? state : "";
    std::string message = fmt::format("PostgreSQL {}: {} (in: {})", code.empty() ? "error" : code,
                                      one_line(PQresultErrorMessage(r)), sql.substr(0, 200));
    if (code == "57014" && budget_.active())  // query_canceled: statement_timeout
      return {StoreError::Cause::TimedOut, message};
    if (unavailable_state(code) || PQstatus(conn_) == CONNECTION_BAD) {
      broken_ = true;
      return {StoreError::Cause::Unavailable, message};
    }
    return {StoreError::Cause::Failed, message};
  }

  StoreError connection_failure(std::string_view doing) {
    broken_ = true;
    return {StoreError::Cause::Unavailable, fmt::format("PostgreSQL connection lost {}: {}", doing,
                                                        one_line(PQerrorMessage(conn_)))};
  }

  // A connection that failed (the server restarted, a query that never
  // answered) is opened again with the same parameters; its prepared
  // statements went with it.
  void reconnect_if_broken() {
    drain_commit();
    if (!broken_ && PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    commit_pending_ = false;
    statements_.clear();
    statement_timeout_ms_ = -1;
    recent_.clear();
    in_snapshot_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      throw StoreError(StoreError::Cause::Unavailable,
                       "cannot reconnect to PostgreSQL: " + one_line(PQerrorMessage(conn_)));
    }
    broken_ = false;
    simple_ignore(kSessionSettings);
  }

  // Reads the answer to a COMMIT sent by end_read (before anything else is
  // sent on the connection).
  void drain_commit() {
    if (!commit_pending_) return;
    commit_pending_ = false;
    const ReadBudget saved = budget_;
    budget_.stop();
    try {
      last_result("COMMIT");
    } catch (const StoreError&) {
      broken_ = true;  // a read's COMMIT cannot fail on a healthy connection
    }
    budget_ = saved;
  }

  // Before anything is sent: the connection is usable and time is left.
  void check_deadline() {
    drain_commit();
    if (broken_) throw StoreError(StoreError::Cause::Unavailable, "the connection failed before");
    if (budget_.spent_at_statement())
      throw StoreError(StoreError::Cause::TimedOut, "the read's deadline passed");
  }

  void cancel() {
    if (PGcancel* c = PQgetCancel(conn_)) {
      char buf[256];
      PQcancel(c, buf, sizeof buf);
      PQfreeCancel(c);
    }
  }

  // Ends whatever transaction is open (a read's, or a write that failed),
  // so the next request starts on a clean connection.
  void finish_transaction() {
    drain_commit();
    if (broken_ || PQstatus(conn_) != CONNECTION_OK) return;
    const PGTransactionStatusType t = PQtransactionStatus(conn_);
    if (t == PQTRANS_IDLE) return;
    const ReadBudget saved = budget_;
    budget_.stop();
    simple_ignore(t == PQTRANS_INTRANS ? "COMMIT" : "ROLLBACK");
    budget_ = saved;
  }

  PGconn* conn_;
  ReadBudget budget_;                  // of the current read snapshot
  int64_t statement_timeout_ms_ = -1;  // as set on the connection; -1: the server's default
  bool in_snapshot_ = false;
  bool broken_ = false;
  // ll2d_state.generation as the open write transaction found it, and as
  // this store's last commit left it.
  std::optional<uint64_t> writing_generation_;
  std::optional<uint64_t> committed_generation_;
  // What the open write transaction changed (for the marks at its commit).
  bool changed_data_ = false;
  std::set<std::string> touched_;
  std::set<std::string> written_;  // tables written since the last refresh_statistics
  int64_t changed_rows_ = 0;       // by this connection's writes (the change log's measure)
  sql::ChangeLogSettings log_;
  bool commit_pending_ = false;  // see end_read
  uint64_t snapshot_version_ = 0;
  uint64_t next_statement_ = 0;
  std::list<std::string> recent_;  // statement keys, most recently used first
  std::unordered_map<std::string, std::pair<std::string, std::list<std::string>::iterator>>
      statements_;
};

// ---- opening, schema ------------------------------------------------------

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

// Statements for setting up, run directly (not through a store).
std::optional<std::string> exec(PGconn* c, const std::string& sql) {
  Result r(PQexec(c, sql.c_str()));
  const ExecStatusType s = PQresultStatus(r.get());
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return std::nullopt;
  return fmt::format("{} (in: {})", one_line(PQresultErrorMessage(r.get())), sql.substr(0, 160));
}

std::vector<std::vector<std::string>> rows(PGconn* c, const std::string& sql, std::string* error) {
  Result r(PQexec(c, sql.c_str()));
  std::vector<std::vector<std::string>> out;
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    if (error != nullptr && error->empty())
      *error =
          fmt::format("{} (in: {})", one_line(PQresultErrorMessage(r.get())), sql.substr(0, 160));
    return out;
  }
  const int columns = PQnfields(r.get());
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    row.reserve(static_cast<size_t>(columns));
    for (int j = 0; j < columns; ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
    out.push_back(std::move(row));
  }
  return out;
}

// What the current schema (search_path's first) holds: each table's columns
// with their types, each index's columns.
struct PgCatalog {
  std::map<std::string, std::map<std::string, std::string>> columns;
  std::map<std::string, std::string> indexes;  // name -> "(col, col)" as PostgreSQL prints it
  std::string error;
};

PgCatalog read_catalog(PGconn* c) {
  PgCatalog cat;
  for (auto& r : rows(c,
                      "SELECT table_name, column_name, data_type FROM information_schema.columns "
                      "WHERE table_schema = current_schema()",
                      &cat.error))
    cat.columns[r[0]][r[1]] = r[2];
  for (auto& r : rows(c,
                      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                      "current_schema() AND indexname NOT LIKE '%_pkey'",
                      &cat.error)) {
    const size_t open = r[1].rfind('(');
    cat.indexes[r[0]] = open == std::string::npos ? r[1] : r[1].substr(open);
  }
  return cat;
}

std::string unquoted(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '"'), s.end());
  return s;
}

// information_schema's name for a type we declare.
std::string catalog_type(const std::string& declared) {
  if (declared.starts_with("BIGINT")) return "bigint";
  if (declared.starts_with("DOUBLE")) return "double precision";
  return "text";
}

// Derived upgrades, as on SQLite: what the declarations add is created,
// nothing is dropped or retyped. Returns the statements or the problem.
std::variant<std::vector<std::string>, std::string> additive_changes(
    PGconn* c, const model::Registry& schema) {
  const sql::SchemaPlan plan = sql::schema_plan(schema, sql::Dialect::Postgres);
  const PgCatalog have = read_catalog(c);
  if (!have.error.empty()) return "cannot read the schema: " + have.error;
  std::vector<std::string> out;
  for (const auto& t : plan.tables) {
    const auto existing = have.columns.find(t.name);
    if (existing == have.columns.end()) {
      out.push_back(sql::create_table(t, sql::Dialect::Postgres));
      continue;
    }
    for (const auto& col : t.columns) {
      const auto it = existing->second.find(col.name);
      if (it == existing->second.end()) {
        out.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", sql::quote(t.name),
                                  sql::quote(col.name), col.type));
      } else if (it->second != catalog_type(col.type)) {
        return fmt::format(
            "column {}.{} is {} in the database but {} in the declarations; that change needs "
            "a hand-written upgrade step",
            t.name, col.name, it->second, catalog_type(col.type));
      }
    }
  }
  for (const auto& i : plan.indexes) {
    const auto it = have.indexes.find(i.name);
    const std::string want = unquoted(fmt::format("({})", fmt::join(i.columns, ", ")));
    if (it != have.indexes.end() && unquoted(it->second) == want) continue;
    if (it != have.indexes.end()) out.push_back(fmt::format("DROP INDEX {}", sql::quote(i.name)));
    out.push_back(sql::create_index(i));
  }
  return out;
}

bool has_state_table(PGconn* c, std::string* error) {
  return !rows(c,
               "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
               "AND table_name = 'll2d_state'",
               error)
              .empty();
}

int64_t schema_version(PGconn* c, std::string* error) {
  const auto r = rows(c, "SELECT schema_version FROM ll2d_state", error);
  return r.empty() ? -1 : std::stoll(r[0][0]);
}

std::string import_first(const std::string& url) {
  return fmt::format("import LL2 data into it first: ll2d import --db {} FILE...", redacted(url));
}

// Changes nothing: why this database cannot be served as it is, if it
// cannot (for read-only opens and replicas).
std::optional<std::string> schema_problem(PGconn* c, const model::Registry& schema,
                                          const std::string& url) {
  std::string error;
  if (!has_state_table(c, &error)) {
    if (!error.empty()) return error;
    return fmt::format("the database holds no ll2d schema; {}", import_first(url));
  }
  const int64_t version = schema_version(c, &error);
  if (version != kSchemaVersion) {
    return fmt::format("the database has schema version {}, this ll2d needs {}{}", version,
                       kSchemaVersion,
                       version < kSchemaVersion ? " (upgraded when opened writable)" : "");
  }
  auto changes = additive_changes(c, schema);
  if (auto* e = std::get_if<std::string>(&changes)) return *e;
  if (const auto n = std::get<std::vector<std::string>>(changes).size(); n > 0)
    return fmt::format(
        "the schema is {} changes behind this ll2d's (upgraded when opened "
        "writable on the primary)",
        n);
  return std::nullopt;
}

// Creates or upgrades the schema, once even when several nodes start
// together: under an advisory lock, in one transaction (PostgreSQL's DDL is
// transactional, so a failed upgrade leaves nothing behind).
std::optional<std::string> migrate(PGconn* c, const model::Registry& schema, bool must_exist,
                                   const std::string& url) {
  if (auto e = exec(c, fmt::format("SELECT pg_advisory_lock({})", kUpgradeLock))) return e;
  const auto work = [&]() -> std::optional<std::string> {
    std::string error;
    const bool have_state = has_state_table(c, &error);
    if (!error.empty()) return error;
    if (!have_state) {
      const auto tables = rows(c,
                               "SELECT count(*) FROM information_schema.tables WHERE "
                               "table_schema = current_schema() AND table_type = 'BASE TABLE'",
                               &error);
      if (!error.empty()) return error;
      if (!tables.empty() && tables[0][0] != "0")
        return std::string(
            "the database holds tables but no ll2d schema; it is not an ll2d database (use an "
            "empty database, or another schema via ?options=-csearch_path%3D...)");
      if (must_exist) return fmt::format("the database is empty; {}", import_first(url));
    } else {
      const int64_t version = schema_version(c, &error);
      if (version > kSchemaVersion)
        return fmt::format(
            "the database has schema version {}, newer than this ll2d understands ({}); use a "
            "newer ll2d",
            version, kSchemaVersion);
      // PostgreSQL support began at version 2: no hand-written steps yet.
      if (version < kSchemaVersion)
        return fmt::format("the database has schema version {}; this ll2d has no upgrade from it",
                           version);
    }
    auto changes = additive_changes(c, schema);
    if (auto* e = std::get_if<std::string>(&changes)) return *e;
    const auto& statements = std::get<std::vector<std::string>>(changes);
    if (statements.empty() && have_state) return std::nullopt;
    if (auto e = exec(c, "BEGIN")) return e;
    std::optional<std::string> failed;
    if (!have_state) {
      failed = exec(
          c, fmt::format("CREATE TABLE ll2d_state (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE "
                         "CHECK (singleton), schema_version BIGINT NOT NULL, generation BIGINT "
                         "NOT NULL); INSERT INTO ll2d_state VALUES (TRUE, {}, 1)",
                         kSchemaVersion));
    }
    for (const auto& s : statements) {
      if (!failed) failed = exec(c, s);
    }
    if (!failed) failed = exec(c, "UPDATE ll2d_state SET generation = generation + 1");
    if (failed) {
      exec(c, "ROLLBACK");
      return failed;
    }
    return exec(c, "COMMIT");
  };
  auto result = work();
  exec(c, fmt::format("SELECT pg_advisory_unlock({})", kUpgradeLock));
  return result;
}

OpenResult refused(std::string error) {
  OpenResult out;
  out.error = std::move(error);
  return out;
}

// A connection with ll2d's defaults, which the URL's own parameters
// override: a bounded connect, UTF-8, and a name in pg_stat_activity.
Conn connect(const std::string& url, std::string* error) {
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {"3", "ll2d", "UTF8", url.c_str(), nullptr};
  // libpq's message about a URL it cannot parse quotes the URL, password
  // and all: never shown.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (parsed == nullptr) {
    *error = fmt::format(
        "cannot connect to {}: not a connection URI libpq can read (percent-encode @ : / ? # in "
        "a user name or password)",
        redacted(url));
    return nullptr;
  }
  PQconninfoFree(parsed);
  Conn c(PQconnectdbParams(keys, values, 1));
  if (!c || PQstatus(c.get()) != CONNECTION_OK) {
    *error =
        fmt::format("cannot connect to {}: {}", redacted(url),
                    c ? without_secrets(url, one_line(PQerrorMessage(c.get()))) : "out of memory");
    return nullptr;
  }
  return c;
}

// Text must compare and change case as on PostgreSQL with a UTF-8 locale
// (UPPER of non-ASCII letters), which a database in the C locale does not.
std::optional<std::string> encoding_problem(PGconn* c) {
  std::string error;
  const auto r =
      rows(c, "SELECT current_setting('server_encoding'), current_setting('lc_ctype')", &error);
  if (!error.empty()) return error;
  std::string ctype = r.at(0).at(1);
  std::transform(ctype.begin(), ctype.end(), ctype.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (r[0][0] != "UTF8" ||
      (ctype.find("utf-8") == std::string::npos && ctype.find("utf8") == std::string::npos)) {
    return fmt::format(
        "the database has encoding {} and LC_CTYPE {}; ll2d needs UTF8 with a UTF-8 LC_CTYPE "
        "(CREATE DATABASE ... TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE "
        "'C.UTF-8')",
        r[0][0], r[0][1]);
  }
  return std::nullopt;
}

}  // namespace

namespace {

// Follows the database's generation from the notifications each write
// sends, on a thread of its own (its connection waits; the I/O threads that
// ask never do). Unknown while it is not connected and listening.
class GenerationWatcher {
 public:
  explicit GenerationWatcher(std::string url) : url_(std::move(url)) {
    thread_ = std::thread([this] { run(); });
  }
  ~GenerationWatcher() {
    stop_ = true;
    thread_.join();
  }
  GenerationWatcher(const GenerationWatcher&) = delete;
  GenerationWatcher& operator=(const GenerationWatcher&) = delete;

  std::optional<uint64_t> current() const {
    if (!valid_.load()) return std::nullopt;
    return generation_.load();
  }

 private:
  static constexpr int kPollMs = 100;  // how soon a stop is noticed

  bool read_generation(PGconn* c) {
    std::string error;
    const auto r = rows(c, "SELECT generation FROM ll2d_state", &error);
    if (!error.empty()) return false;
    generation_ = r.empty() ? 0 : std::strtoull(r[0][0].c_str(), nullptr, 10);
    return true;
  }

  void listen(PGconn* c) {
    // LISTEN answers no rows (COMMAND_OK): rows() would call that an error.
    if (exec(c, "LISTEN ll2d_changed") || !read_generation(c)) return;
    valid_ = true;
    while (!stop_) {
      pollfd p{PQsocket(c), POLLIN, 0};
      if (::poll(&p, 1, kPollMs) < 0 && errno != EINTR) break;
      if (PQconsumeInput(c) == 0) break;  // the connection is gone
      bool reread = false;
      while (PGnotify* n = PQnotifies(c)) {
        const std::string payload = n->extra != nullptr ? n->extra : "";
        PQfreemem(n);
        if (payload.empty()) {
          reread = true;  // a notification from an older ll2d
        } else {
          generation_ =
              std::max<uint64_t>(generation_.load(), std::strtoull(payload.c_str(), nullptr, 10));
        }
      }
      if (reread) {
        valid_ = false;  // until the number is read again
        if (!read_generation(c)) break;
        valid_ = true;
      }
    }
    valid_ = false;
  }

  void run() {
    while (!stop_) {
      std::string error;
      if (Conn c = connect(url_, &error)) listen(c.get());
      // Not connected: try again in a second.
      for (int i = 0; i < 1000 / kPollMs && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
  }

  std::string url_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> valid_{false};
  std::atomic<uint64_t> generation_{0};
  std::thread thread_;
};

}  // namespace

std::function<std::optional<uint64_t>()> watch_postgres_generation(const std::string& url) {
  auto watcher = std::make_shared<GenerationWatcher>(url);
  return [watcher] { return watcher->current(); };
}

bool is_postgres_url(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

OpenResult open_postgres(const std::string& url, const model::Registry& schema,
                         const OpenOptions& options) {
  std::string error;
  Conn c = connect(url, &error);
  if (!c) {
    OpenResult out = refused(error);
    out.unavailable = true;
    return out;
  }
  if (auto e = encoding_problem(c.get())) return refused(fmt::format("{}: {}", redacted(url), *e));
  OpenResult out;
  std::string recovery_error;
  const auto recovery = rows(c.get(), "SELECT pg_is_in_recovery()", &recovery_error);
  const bool replica = !recovery.empty() && recovery[0][0] == "t";
  out.read_only = options.access == OpenOptions::Access::ReadOnly ||
                  (options.access == OpenOptions::Access::Auto && replica);
  if (replica) out.note = "a replica (in recovery): read-only";
  if (out.read_only) {
    if (auto problem = schema_problem(c.get(), schema, url))
      return refused(fmt::format("{}: {}", redacted(url), *problem));
  } else {
    if (replica)
      return refused(
          fmt::format("{}: a replica cannot be written; give the primary", redacted(url)));
    if (auto e = migrate(c.get(), schema, options.must_exist, url))
      return refused(fmt::format("{}: {}", redacted(url), *e));
  }
  exec(c.get(), kSessionSettings);  // an error leaves the server's default: slower, not wrong
  out.store =
      std::make_unique<PostgresStore>(c.release(), schema, sql::change_log_settings(options));
  return out;
}

CheckReport check_postgres(const std::string& url, const model::Registry& schema) {
  CheckReport report;
  std::string error;
  Conn c = connect(url, &error);
  if (!c) {
    report.problems.push_back(error);
    return report;
  }
  if (auto e = encoding_problem(c.get())) report.problems.push_back(*e);
  if (auto problem = schema_problem(c.get(), schema, url)) report.problems.push_back(*problem);
  error.clear();
  report.schema_version = has_state_table(c.get(), &error) ? schema_version(c.get(), &error) : 0;
  const auto tables = rows(c.get(),
                           "SELECT table_name FROM information_schema.tables WHERE table_schema "
                           "= current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                           "'ll2d_state' ORDER BY 1",
                           &error);
  for (const auto& t : tables) {
    std::string count_error;
    const auto n =
        rows(c.get(), fmt::format("SELECT count(*) FROM {}", sql::quote(t[0])), &count_error);
    if (!count_error.empty()) {
      report.rows.emplace_back(t[0], -1);
      report.problems.push_back(fmt::format("cannot count the rows of {}: {}", t[0], count_error));
    } else {
      report.rows.emplace_back(t[0], std::stoll(n.at(0).at(0)));
    }
  }
  if (!error.empty()) report.problems.push_back(error);
  return report;
}

}  // namespace ll2::store
