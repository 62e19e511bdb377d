// The schema of a database follows the declarations. What they add (tables,
// columns, indexes) is derived and applied when a database is opened; what
// they cannot say (renames, data moves) is a numbered hand-written step. A
// database newer than this ll2d, or a foreign file, is refused.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

namespace ll2::store {

// The number of hand-written steps plus one. Bump it only with a step.
inline constexpr int kSchemaVersion = 2;

// Returns an error message, or nullopt when the database is ready.
std::optional<std::string> migrate_sqlite(sqlite3* db);

// Changes nothing: nullopt when the database holds this ll2d's schema
// exactly as migrate_sqlite would leave it (version and declarations), else
// what is wrong (empty, foreign, older, newer). For read-only opens.
std::optional<std::string> schema_problem(sqlite3* db);

}  // namespace ll2::store
