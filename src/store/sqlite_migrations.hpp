// Schema upgrades of a SQLite database (see migrations.hpp for the rules).
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

#include "model/schema.hpp"
#include "store/migrations.hpp"

namespace ll2::store {

// Returns an error message, or nullopt when the database is ready: its
// tables `schema`'s (the declarations the store is opened with).
std::optional<std::string> migrate_sqlite(sqlite3* db, const model::Registry& schema);

// Changes nothing: nullopt when the database holds this ll2d's schema
// exactly as migrate_sqlite would leave it (version and declarations), else
// what is wrong (empty, foreign, older, newer). For read-only opens.
// Declared indexes that are merely missing are no problem (see
// missing_indexes): the data is whole, only some reads are slower.
std::optional<std::string> schema_problem(sqlite3* db, const model::Registry& schema);

// How many declared indexes the database lacks: an import into an empty
// database builds the read-only ones last, so one cut short leaves them out
// until the next writable open (migrate_sqlite) builds them.
size_t missing_indexes(sqlite3* db, const model::Registry& schema);

// The first column of the first row `sql` gives, or -1.
int64_t query_int(sqlite3* db, const char* sql);

}  // namespace ll2::store
