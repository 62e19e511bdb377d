// SQL generated from the declarations: tables, indexes, row loads and list
// queries. Only declared identifiers reach SQL text; values are parameters.
#pragma once

#include <string>
#include <vector>

#include "model/schema.hpp"
#include "store/store.hpp"

namespace ll2::store::sql {

std::string quote(std::string_view identifier);
// A SQL string literal ('it''s').
std::string quote_literal(std::string_view text);
// The column that stores a Column or ForeignKey field.
std::string column_name(const model::Field& f);

// CREATE TABLE / CREATE INDEX statements for every declared kind and for the
// lookups the resources filter and order by.
std::vector<std::string> schema(const model::Registry& registry);

std::string select_row(const model::Kind& kind);
// Fills derived foreign keys (Kind::derivations) an import left unknown.
std::vector<std::string> derived_updates(const model::Registry& registry);
std::string select_exists(const model::Kind& kind);
std::string select_related_ids(const model::Kind& owner_kind, const model::Field& field);
// The batched forms: one parameter, a JSON array of ids (one statement shape
// whatever the count).
std::string select_rows_in(const model::Kind& kind);
std::string select_related_ids_in(const model::Kind& owner_kind, const model::Field& field);
std::string select_owned_rows_in(const model::Field& field);  // owner_id first
std::string select_owned_rows(const model::Field& field);

// A list query as SQL with `?` placeholders and the values to bind in order.
struct Statement {
  std::string sql;
  std::vector<Value> params;
};
struct ListStatements {
  Statement count;
  Statement page;
};
ListStatements list(const ListQuery& q);

}  // namespace ll2::store::sql
