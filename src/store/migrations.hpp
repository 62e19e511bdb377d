// The schema of a database follows the declarations. What they add (tables,
// columns, indexes) is derived and applied when a database is opened; what
// they cannot say (renames, data moves) is a numbered hand-written step. A
// database newer than this ll2d, or a foreign one, is refused. Each backend
// applies these rules to its own catalog (sqlite_migrations.hpp,
// postgres_store.cpp).
#pragma once

namespace ll2::store {

// The number of hand-written steps plus one. Bump it only with a step.
inline constexpr int kSchemaVersion = 2;

}  // namespace ll2::store
