// SQL generated from the declarations: tables, indexes, row loads and list
// queries. Only declared identifiers reach SQL text; values are parameters.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::store::sql {

// The SQL differences between the backends live here: types, the batched
// id parameter, text functions (PostgreSQL's own; SQLite gets ll2_* functions
// that imitate them) and date parts. Statements use `?` placeholders on both;
// the PostgreSQL store numbers them when it prepares a statement.
enum class Dialect { Sqlite, Postgres };

std::string quote(std::string_view identifier);
// A SQL string literal ('it''s').
std::string quote_literal(std::string_view text);
// The column that stores a Column or ForeignKey field.
std::string column_name(const model::Field& f);

// Numbers keep the form they were imported in: a float field imported as an
// integer ("diameter": 12742000) is served as one. Its float column holds the
// value (filters and orderings compare it), and <field>__as_integer beside it
// the integer, or NULL for a float. Row selects list those columns after the
// kind's, so a row is read row_width() wide, then restore_integer_forms()
// puts each integer in its field's place and trims the row to 1 +
// column_count.
bool keeps_integer_form(const model::Field& f);
std::string integer_form_column(const model::Field& f);
int row_width(const model::Kind& kind);
void restore_integer_forms(const model::Kind& kind, Row& row);
// What a float field's value writes to its integer-form column.
Value integer_form(const Value& v);

// The schema the declarations describe: a table per kind (and per
// many-to-many or id-less relation) and the indexes the resources' filters,
// orderings, searches and reverse relations read through.
struct ColumnDef {
  std::string name;
  std::string type;        // the dialect's type (INTEGER, BIGINT, TEXT, ...)
  std::string constraint;  // PRIMARY KEY, NOT NULL, or empty
  bool quoted = true;      // declared fields are quoted; id/owner_id/... are not
};
struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::string primary_key;  // a composite key's columns, or empty
  bool without_rowid = false;
};
struct IndexDef {
  std::string name;
  std::string table;
  std::vector<std::string> columns;  // as written: quoted where declared
  // Only reads (the endpoints' filters, orderings and searches) use it; no
  // write looks rows up by it, so a bulk load may build it afterwards.
  bool reads_only = false;
};
struct SchemaPlan {
  std::vector<TableDef> tables;   // in name order
  std::vector<IndexDef> indexes;  // in name order
};
SchemaPlan schema_plan(const model::Registry& registry, Dialect dialect);
// ll2d's own table holding the database's generation (see Store::data_version).
constexpr std::string_view kStateTable = "ll2d_state";
// ll2d's own table of the generation at which each kind last changed.
constexpr std::string_view kKindStateTable = "ll2d_kind_state";
// What a batch changes, conservatively: each kind whose rows or relations
// it writes, and `kind.field` for a derived foreign key it may fill
// (`schema`: every kind, those that can point at what it deletes).
std::vector<std::string> touched_kinds(const model::Registry& schema, const WriteBatch& batch);
// The tables a batch writes rows of (a kind's own, a relation's), by name.
std::set<std::string> tables_written(const WriteBatch& batch);
// Sets one kind's (the parameter's) generation to the database's current
// one; run after the write bumped it, in the same transaction.
const std::string& mark_kind_changed();
std::string create_table(const TableDef& table, Dialect dialect);
std::string create_index(const IndexDef& index);
// CREATE TABLE then CREATE INDEX statements, each in name order.
std::vector<std::string> schema(const model::Registry& registry, Dialect dialect = Dialect::Sqlite);

std::string select_row(const model::Kind& kind);
// `ll2d sync`'s bookkeeping (tables ll2d_sync and ll2d_sync_seen): all keys
// with their text; the ids of a kind a walk has not seen (one parameter: the
// walk).
std::string select_sync_state();
std::string select_unseen_ids(const model::Kind& kind);
std::string select_exists(const model::Kind& kind);
std::string select_related_ids(const model::Kind& owner_kind, const model::Field& field);
// The batched forms: one parameter holding every id (one statement shape
// whatever the count). The ids as a JSON array: SQLite's parameter of the
// batched forms, and of both databases' writes.
Value ids_parameter(const std::vector<Value>& ids);
// The ids as a PostgreSQL array (`{1,2}`, `{"a","b"}`): PostgreSQL's
// parameter of the batched forms.
Value ids_array_parameter(const std::vector<Value>& ids);
std::string select_rows_in(const model::Kind& kind, Dialect dialect = Dialect::Sqlite);
std::string select_related_ids_in(const model::Kind& owner_kind, const model::Field& field,
                                  Dialect dialect = Dialect::Sqlite);
// The ids among many (one parameter: ids_in_parameter's) that a kind's
// table holds.
std::string select_ids_in(const model::Kind& kind, Dialect dialect = Dialect::Sqlite);
// The parameter of the batched forms in a dialect.
Value ids_in_parameter(const std::vector<Value>& ids, Dialect dialect);
// owner_id first
std::string select_owned_rows_in(const model::Field& field, Dialect dialect = Dialect::Sqlite);
std::string select_owned_rows(const model::Field& field);

// ll2d's API keys (table ll2d_api_key; parameters as `?`).
inline constexpr const char* kSelectApiKeys =
    "SELECT prefix, hash, label, created, rate, revoked FROM ll2d_api_key ORDER BY created, prefix";
inline constexpr const char* kInsertApiKey =
    "INSERT INTO ll2d_api_key (prefix, hash, label, created, rate, revoked) "
    "VALUES (?, ?, ?, ?, ?, NULL)";
inline constexpr const char* kRevokeApiKey =
    "UPDATE ll2d_api_key SET revoked = ? WHERE prefix = ? AND revoked IS NULL RETURNING prefix";
// The row of kSelectApiKeys as a key (NULL columns are empty strings).
ApiKey api_key_from_row(const std::vector<Value>& row);
// kInsertApiKey's parameters (an empty rate is NULL).
std::vector<Value> api_key_params(const ApiKey& key);

// A list query as SQL with `?` placeholders and the values to bind in order.
struct Statement {
  std::string sql;
  std::vector<Value> params;
};
struct ListStatements {
  Statement count;
  Statement page;
};
ListStatements list(const ListQuery& q, Dialect dialect = Dialect::Sqlite);
// (root id, value) for every value a path reaches from a row of `root`, through
// any relation (a row is listed once per value; rows without one are not).
std::string select_path_values(const model::Kind& root, std::string_view path);
// (root id, value of each path, their count) for every row combination of
// the paths joined as one Django filter() joins them (a LEFT JOIN per path
// prefix), of the objects that have more than one: what a multi-term search
// through a many-valued relation tests.
std::string select_search_rows(const model::Kind& root, const std::vector<std::string>& paths);

// A write statement's text, built once per `key` and kept for the process:
// the stores find their prepared write statements by the text's address.
const std::string& statement_text(const std::string& key,
                                  const std::function<std::string()>& build);

// The statements that apply a write batch and then fill the derived foreign
// keys (Kind::derivations) an import left unknown, for the rows the batch
// can have changed, run in order by `run` inside the caller's transaction;
// the first error stops them and is returned. Rows and links whose stored
// values already match are left as they are, so a batch that repeats what
// the database holds writes nothing. Statement texts are built once per
// shape: `run` sees the same std::string for the same statement.
using Runner =
    std::function<std::optional<std::string>(const std::string& sql, const std::vector<Value>&)>;
// What the write statements need of a store's open write transaction.
struct WriteSession {
  Runner run;
  // The rows a statement returns (each its columns in order), or the error.
  std::function<std::variant<std::vector<Row>, std::string>(const std::string& sql,
                                                            const std::vector<Value>&)>
      query;
  // Rows inserted, updated or deleted on this connection so far (only grows).
  std::function<int64_t()> changed_rows;
  Dialect dialect = Dialect::Sqlite;
  // The change log (change_log.hpp): off, the batch is written as it comes.
  bool log_changes = false;
  int64_t now = 0;        // the entries' time, in microseconds
  int64_t retention = 0;  // entries older than this (microseconds) go; 0: kept
};
// `schema`'s kinds are the database's: those whose links can point at a
// deleted object, and whose derived keys a write can fill.
std::optional<std::string> write_batch(const model::Registry& schema, const WriteBatch& batch,
                                       const WriteSession& session);

}  // namespace ll2::store::sql
