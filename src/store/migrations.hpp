// Versioned schema. A new database gets the current schema; an older one is
// upgraded step by step; a newer or foreign one is refused with a message.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

namespace ll2::store {

// Bump when the declarations change the tables, and add the step that
// upgrades the previous version (tests pin the generated schema to this).
inline constexpr int kSchemaVersion = 1;

// Returns an error message, or nullopt when the database is ready.
std::optional<std::string> migrate_sqlite(sqlite3* db);

}  // namespace ll2::store
