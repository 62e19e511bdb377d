// The storage interface. The engine and the importer speak only to this;
// SQLite implements it now, PostgreSQL will implement it next.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/schema.hpp"
#include "model/value.hpp"

namespace ll2::store {

struct OrderKey {
  std::string path;
  bool descending = false;
};

// A validated list request, in terms of declarations only: every path was
// checked against the resource's allow-lists; every value is bound.
struct ListQuery {
  const model::Kind* kind = nullptr;
  model::Predicate where;  // filters and an action's base condition
  std::vector<std::string> search_paths;
  std::vector<std::string> search_terms;  // upper-cased (PostgreSQL UPPER)
  std::vector<OrderKey> order;            // `id` ascending always breaks ties
  int64_t limit = 10;
  int64_t offset = 0;
  bool count = true;  // false: Page::count is not computed (detail lookups)
};

struct Page {
  int64_t count = 0;
  std::vector<Value> ids;
};

// One of the batched reads a page is rendered from (Store::load_many,
// related_ids_many or owned_rows_many), for Store::read_all.
struct BatchRead {
  enum class What { Rows, RelatedIds, OwnedRows };
  What what = What::Rows;
  const model::Kind* kind = nullptr;    // Rows: the rows' kind; RelatedIds: the owners'
  const model::Field* field = nullptr;  // RelatedIds and OwnedRows: the relation
  std::vector<Value> ids;               // Rows: the ids; else the owners
};
// Its answer: the member its What names is filled, as that call returns it.
struct BatchAnswer {
  std::vector<Row> rows;
  std::vector<std::pair<Value, Value>> pairs;
  std::vector<std::pair<Value, Row>> owned;
};

// What one imported file changes, merged by object id.
struct ObjectWrite {
  const model::Kind* kind = nullptr;
  Value id;
  std::vector<std::pair<const model::Field*, Value>> values;  // only the keys seen

  // The value the write gives `field`; null when it leaves the field out.
  const Value* value_of(const model::Field* field) const {
    for (const auto& [f, v] : values) {
      if (f == field) return &v;
    }
    return nullptr;
  }
};
struct LinkWrite {  // replaces a many-to-many membership, a parent's children, or the
                    // objects of a reverse relation (their foreign key or link rows)
  const model::Kind* kind = nullptr;
  const model::Field* field = nullptr;
  Value owner;
  std::vector<Value> targets;
};
struct RowsWrite {  // replaces a parent's id-less rows (mission info_urls)
  const model::Field* field = nullptr;
  Value owner;
  std::vector<std::vector<std::pair<const model::Field*, Value>>> rows;
};
struct DeleteWrite {  // objects gone upstream: their rows and the link rows they own
  const model::Kind* kind = nullptr;
  std::vector<Value> ids;
};
struct SeenWrite {  // `ll2d sync`: ids a full walk of an endpoint has seen so far
  std::string walk;
  bool reset = false;  // the walk starts over: forget what it saw before
  std::vector<Value> ids;
};
// A reminder before an object's time (a launch's NET) that the feed's
// worker found due: recorded once per object, time and lead, and logged as a
// `<kind>.reminder` entry unless `announce` is false (a shorter one is due
// already, so this one is only marked as past).
struct ReminderWrite {
  const model::Kind* kind = nullptr;
  Value id;
  int64_t at = 0;      // the time it reminds of, microseconds
  int64_t before = 0;  // how long before it, microseconds
  bool announce = true;
};
struct WriteBatch {
  std::vector<ObjectWrite> objects;
  std::vector<LinkWrite> links;
  std::vector<RowsWrite> rows;
  std::vector<DeleteWrite> deletes;
  // `ll2d sync`'s bookkeeping (key -> text, upserted) and seen marks, written
  // in the same transaction as the page they follow, so that a kill can never
  // separate a page from the cursor that says it was imported.
  std::vector<std::pair<std::string, std::string>> sync_state;
  std::vector<SeenWrite> seen;
  std::vector<ReminderWrite> reminders;

  // Whether it changes what is served (the data, or the change log): a
  // batch of bookkeeping only leaves the generation (and every cache keyed
  // by it) as it was.
  bool changes_data() const {
    return !objects.empty() || !links.empty() || !rows.empty() || !deletes.empty() ||
           !reminders.empty();
  }
};

// One entry of the change log (table ll2d_change): an object that a write
// created, changed or deleted, in commit order. Written in the same
// transaction as the data, so a reader never sees one without the other.
struct WatchedChange {  // a watched field (model::Watch) that the write set
  std::string field;
  Value before;  // stored forms (a date-time in microseconds, a key's id)
  Value after;
};
struct Change {
  int64_t seq = 0;  // increases with every entry, in commit order
  int64_t at = 0;   // when it was written: microseconds since the epoch, UTC
  std::string kind;
  Value id;
  std::string op;                   // "created", "updated" or "deleted"
  std::vector<std::string> fields;  // written (created) or changed (updated)
  std::vector<std::string> types;   // "launch.updated", "launch.net_changed", ...
  std::vector<WatchedChange> watched;
  int64_t reminder_before = 0;  // a reminder's lead time (microseconds); 0: not a reminder
};
// Which entries Store::changes returns: those after `since`, in order.
struct ChangeQuery {
  int64_t since = 0;
  int64_t limit = 100;
  std::vector<std::string> kinds;  // empty: every kind
  std::vector<std::string> types;  // empty: any; else an entry with one of them
  std::optional<Value> id;         // one object's entries
};

// One of ll2d's own API keys (`ll2d keys`; the throttle reads them). Only
// the key's SHA-256 is stored: the key itself is shown once, at creation.
struct ApiKey {
  std::string prefix;   // the key's first characters: listed, and what revoke takes
  std::string hash;     // lower-case hex SHA-256 of the whole key
  std::string label;    // the operator's note (who has it)
  std::string created;  // ISO 8601, UTC
  std::string rate;     // its own rate ("5000/hour"); empty: serve's --key-rate
  std::string revoked;  // when it was revoked (ISO 8601); empty: active
};

// A read that could not be completed. Reads return plain values, so a failure
// of the storage underneath (a corrupt page, an I/O error) or a spent time
// budget is thrown; the engine turns it into a response (500 or 503).
class StoreError : public std::runtime_error {
 public:
  enum class Cause {
    TimedOut,     // the read's deadline passed (see begin_read)
    Failed,       // the storage failed: the message names the cause
    Unavailable,  // the database cannot be reached (now): try again later
  };
  StoreError(Cause cause, const std::string& message)
      : std::runtime_error(message), cause_(cause) {}
  Cause cause() const { return cause_; }

 private:
  Cause cause_;
};

// When a read must give up; none: never.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

class Store {
 public:
  // `schema`: the declarations whose kinds the database's tables hold (the
  // first API version's; every version shares its kinds). It outlives the store.
  explicit Store(const model::Registry& schema) : schema_(schema) {}
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const model::Registry& schema() const { return schema_; }

  // One object's stored row, id first, columns in declaration order.
  virtual std::optional<Row> load(const model::Kind& kind, const Value& id) = 0;
  // Ids behind a many-to-many, children or reverse relation, ascending.
  virtual std::vector<Value> related_ids(const model::Kind& owner_kind, const model::Field& field,
                                         const Value& owner) = 0;
  // Batched forms for rendering a page in a few queries: the rows found
  // (id first), and the (owner, related id) pairs of a relation for many
  // owners, each owner's ids in the relation's order.
  virtual std::vector<Row> load_many(const model::Kind& kind, const std::vector<Value>& ids) = 0;
  virtual std::vector<std::pair<Value, Value>> related_ids_many(
      const model::Kind& owner_kind, const model::Field& field,
      const std::vector<Value>& owners) = 0;
  // (owner, row) pairs of an id-less relation for many owners, in order.
  virtual std::vector<std::pair<Value, Row>> owned_rows_many(const model::Field& field,
                                                             const std::vector<Value>& owners) = 0;
  // Several batched reads that do not depend on each other, each answered
  // as its own call answers it and handed to `take` (its index, its answer)
  // as soon as it is read: a read cut short by its deadline keeps what came
  // before. A store that can send them together overrides this (PostgreSQL:
  // one round trip for all of them).
  virtual void read_each(const std::vector<BatchRead>& reads,
                         const std::function<void(size_t, BatchAnswer&)>& take) {
    for (size_t i = 0; i < reads.size(); ++i) {
      const BatchRead& r = reads[i];
      BatchAnswer answer;
      switch (r.what) {
        case BatchRead::What::Rows:
          answer.rows = load_many(*r.kind, r.ids);
          break;
        case BatchRead::What::RelatedIds:
          answer.pairs = related_ids_many(*r.kind, *r.field, r.ids);
          break;
        case BatchRead::What::OwnedRows:
          answer.owned = owned_rows_many(*r.field, r.ids);
          break;
      }
      take(i, answer);
    }
  }
  // The same, every answer returned in order.
  std::vector<BatchAnswer> read_all(const std::vector<BatchRead>& reads) {
    std::vector<BatchAnswer> out(reads.size());
    read_each(reads, [&](size_t i, BatchAnswer& answer) { out[i] = std::move(answer); });
    return out;
  }
  // Rows of an id-less relation, in their stored order (id slot is null).
  virtual std::vector<Row> owned_rows(const model::Field& field, const Value& owner) = 0;
  virtual Page list(const ListQuery& query) = 0;
  // (id, value) of every value `path` (a search path: any relations, then a
  // column) reaches from a `kind` object; objects without one are left out.
  // For indexes built in memory (api/list_index.hpp): one full read.
  virtual std::vector<std::pair<Value, Value>> path_values(const model::Kind& kind,
                                                           std::string_view path) = 0;
  // [id, value of paths[0], ...] for every row combination of the paths
  // joined as one Django filter() joins them, of the objects with more than
  // one (sql::select_search_rows); for multi-term searches answered in memory.
  virtual std::vector<Row> search_rows(const model::Kind& kind,
                                       const std::vector<std::string>& paths) = 0;
  // Whether an object exists (django-filter's ModelChoice validation).
  virtual bool exists(const model::Kind& kind, const Value& id) = 0;
  // The database's generation: changed by every write, the same number on
  // every connection and process (inside a snapshot, the snapshot's), so
  // caches shared by threads are keyed by it.
  virtual uint64_t data_version() = 0;
  // Each kind's generation: when its rows or relations last changed (kinds
  // never written are absent: 0). Inside a snapshot, the snapshot's.
  virtual std::vector<std::pair<std::string, uint64_t>> kind_generations() = 0;
  // The generation now, outside any snapshot, when the store can read it
  // without a network round trip (SQLite: a read of one row); else nullopt.
  virtual std::optional<uint64_t> generation_now() { return std::nullopt; }

  // A read snapshot: between begin_read and end_read every read sees the
  // database as one commit left it (a request never mixes an import's
  // before and after). data_version inside it is the snapshot's. Reads in
  // it that run past `deadline` throw StoreError(TimedOut).
  // A store may also throw StoreError from here (e.g. Unavailable).
  virtual std::optional<std::string> begin_read(Deadline deadline) = 0;
  virtual void end_read() = 0;

  // Applies a batch in one transaction; on failure nothing is written and
  // the error is returned.
  virtual std::optional<std::string> write(const WriteBatch& batch) = 0;

  // API keys, active and revoked, oldest first (outside any read snapshot;
  // throws StoreError like the reads). Both databases keep them; a store
  // for tests need not.
  virtual std::vector<ApiKey> api_keys() {
    throw StoreError(StoreError::Cause::Failed, "this store keeps no API keys");
  }
  // Adds a key; an error (e.g. its prefix is taken) writes nothing.
  virtual std::optional<std::string> add_api_key(const ApiKey& /*key*/) {
    return "this store keeps no API keys";
  }
  // Marks the active key with this prefix revoked at `when`: whether there
  // was one, or the error.
  virtual std::variant<bool, std::string> revoke_api_key(const std::string& /*prefix*/,
                                                         const std::string& /*when*/) {
    return std::string("this store keeps no API keys");
  }
  // The change log's entries (ChangeQuery), and the last entry's sequence
  // number (0: none). Read like the rest: in the caller's snapshot, if any;
  // a failure is thrown. (Both through statement_rows: change_log.cpp.)
  std::vector<Change> changes(const ChangeQuery& query);
  int64_t last_change();
  // One statement on ll2d's own tables (the feed's reminders, lease and
  // hooks; `?` placeholders on both backends), outside any transaction this
  // store has open unless inside begin_write/commit_write: its rows, or the
  // error.
  std::variant<std::vector<Row>, std::string> execute(const std::string& sql,
                                                      const std::vector<Value>& params);

  // `ll2d sync`'s bookkeeping: every key and its text, in key order; and the
  // ids of `kind` that the walk `walk` has not marked seen (what vanished
  // upstream). Throw StoreError on failure; a store without them throws.
  virtual std::vector<std::pair<std::string, std::string>> sync_state() {
    throw StoreError(StoreError::Cause::Failed, "this store keeps no sync state");
  }
  virtual std::vector<Value> unseen_ids(const model::Kind& /*kind*/, const std::string& /*walk*/) {
    throw StoreError(StoreError::Cause::Failed, "this store keeps no sync state");
  }
  // Several batches in one transaction: begin_write, write_part per batch,
  // then commit_write, or abort_write to undo them all. A write_part that
  // fails rolls the whole transaction back (nothing of it remains, and no
  // transaction is open) and returns the error: the caller writes the other
  // batches again if it wants them (they succeeded once). Nothing is seen
  // by others, or survives a crash, before the commit. A store without
  // transactions of its own writes each part at once.
  // `others_wrote` (when given) is set to whether anyone but this store may
  // have changed the database since its last write transaction ended: what
  // a writer remembers of its writes holds only while it is false.
  virtual std::optional<std::string> begin_write(bool* others_wrote = nullptr) {
    if (others_wrote != nullptr) *others_wrote = true;
    return std::nullopt;
  }
  virtual std::optional<std::string> write_part(const WriteBatch& batch) { return write(batch); }
  virtual std::optional<std::string> commit_write() { return std::nullopt; }
  virtual void abort_write() {}

  // Loading into an empty database: the indexes only reads use are dropped
  // here and built by build_deferred_indexes once the data is in (sorting a
  // table once beats keeping a dozen indexes current through a million
  // inserts). Returns how many were deferred (0: the database holds data,
  // or the store cannot), or the error. Until they are built reads are
  // correct but slow; a load cut short leaves them to the next writable
  // open, which builds every missing index.
  virtual std::variant<size_t, std::string> defer_read_indexes() { return size_t{0}; }
  virtual std::optional<std::string> build_deferred_indexes() { return std::nullopt; }
  // After a load: the statistics the query planner chooses plans by, brought
  // up to date for the tables the load changed. PostgreSQL's autovacuum does
  // it too, but a minute or more later, and until then reads are planned for
  // tables as they were (empty): a cold miss then costs PostgreSQL a quarter
  // more CPU. SQLite's plans were as fast without them (measured), so it
  // keeps none.
  virtual std::optional<std::string> refresh_statistics() { return std::nullopt; }

 protected:
  // A statement's rows, every column; a failure is thrown (StoreError). What
  // changes() and execute() run on; a store for tests need not.
  virtual std::vector<Row> statement_rows(const std::string& /*sql*/,
                                          const std::vector<Value>& /*params*/) {
    throw StoreError(StoreError::Cause::Failed, "this store runs no statements");
  }

 private:
  const model::Registry& schema_;
};

// Holds a read snapshot for a scope.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Store& store, Deadline deadline = std::nullopt)
      : store_(store), error_(store.begin_read(deadline)) {}
  ~ReadSnapshot() {
    if (!error_) store_.end_read();
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const std::optional<std::string>& error() const { return error_; }

 private:
  Store& store_;
  std::optional<std::string> error_;
};

struct OpenOptions {
  enum class Access {
    ReadWrite,  // created if missing (unless must_exist), upgraded as needed
    ReadOnly,   // never written: no upgrade, so the schema must be current
    Auto,       // ReadOnly when the file or its directory cannot be written
  };
  Access access = Access::ReadWrite;
  // A missing file, or one without an ll2d schema, is an error rather than
  // the start of a new database (serve: import first).
  bool must_exist = false;
  // SQLite: a new database filled by a single writer that nothing reads
  // meanwhile (generate): no syncing and the rollback journal in memory, so a
  // crash leaves the file unusable. The next ordinary open returns it to WAL.
  bool bulk_load = false;
  // SQLite: this connection's page cache in KiB (0: SQLite's default, 2 MiB).
  int64_t cache_kib = 0;
  // How long the change log keeps entries: older ones go as writes add new
  // ones. 0: this connection's writes log nothing.
  std::chrono::seconds changes_retention = std::chrono::hours(24 * 30);
  // The time of the entries written (tests fix it); unset: the real time.
  std::function<int64_t()> clock;
};

// Where a database is: `FILE` or `sqlite:FILE` for SQLite,
// `postgresql://...` (or `postgres://`) for PostgreSQL.
bool is_postgres_url(std::string_view db);
// `db` for messages and logs: a PostgreSQL URL's password (the user info
// after the user name, up to its last `@`) and `password=` parameters are
// written `***`.
std::string display_name(const std::string& db);
// libpq's `message` about `url`, or a generic one when it shows any part of
// the URL's passwords (libpq misreads a password holding `@` or `/`).
std::string without_secrets(const std::string& url, std::string message);

struct OpenResult {
  std::unique_ptr<Store> store;
  std::string error;         // set when store is null
  bool read_only = false;    // how it was opened
  std::string note;          // why it was opened read-only, or how (immutable)
  bool unavailable = false;  // the database could not be reached (may come back)
};

// Opens the database `db` names (see is_postgres_url), creating it or
// upgrading its schema to `schema`'s tables as needed (Store::schema). The
// one place that picks the backend.
OpenResult open_store(const std::string& db, const model::Registry& schema,
                      const OpenOptions& options = {});
OpenResult open_sqlite(const std::string& path, const model::Registry& schema,
                       const OpenOptions& options = {});
// A PostgreSQL database (an empty one gets the schema; a replica is opened
// read-only under Access::Auto).
OpenResult open_postgres(const std::string& url, const model::Registry& schema,
                         const OpenOptions& options = {});

// The generation of the PostgreSQL database at `url` as its notifications
// tell it, read by a thread of its own (no call ever waits); nullopt while
// that thread is not connected. The thread stops with the last copy.
std::function<std::optional<uint64_t>()> watch_postgres_generation(const std::string& url);

// What `ll2d check` reports about a database file, opened read-only.
struct CheckReport {
  std::vector<std::string> problems;  // empty: healthy
  std::vector<std::string> notes;     // worth knowing, but healthy
  std::string integrity;              // "ok", or the check's first findings
  int64_t schema_version = -1;
  std::vector<std::pair<std::string, int64_t>> rows;  // per table; -1: not countable
};

// PRAGMA integrity_check (quick_check when `quick`), the schema version
// against this ll2d's, the tables against `schema`'s, and the row count of
// every table.
CheckReport check_sqlite(const std::string& path, const model::Registry& schema, bool quick);
// The same on PostgreSQL, without the integrity check (that is pg_amcheck's).
CheckReport check_postgres(const std::string& url, const model::Registry& schema);
CheckReport check_store(const std::string& db, const model::Registry& schema, bool quick);

}  // namespace ll2::store
