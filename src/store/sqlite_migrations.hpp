// Schema upgrades of a SQLite database (see migrations.hpp for the rules).
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

#include "store/migrations.hpp"

namespace ll2::store {

// Returns an error message, or nullopt when the database is ready.
std::optional<std::string> migrate_sqlite(sqlite3* db);

// Changes nothing: nullopt when the database holds this ll2d's schema
// exactly as migrate_sqlite would leave it (version and declarations), else
// what is wrong (empty, foreign, older, newer). For read-only opens.
std::optional<std::string> schema_problem(sqlite3* db);

}  // namespace ll2::store
