// The one place where a --db value picks its backend.
#include "store/store.hpp"

namespace ll2::store {

namespace {
std::string sqlite_path(const std::string& db) {
  return db.starts_with("sqlite:") ? db.substr(7) : db;
}
}  // namespace

OpenResult open_store(const std::string& db, const OpenOptions& options) {
  if (is_postgres_url(db)) return open_postgres(db, options);
  return open_sqlite(sqlite_path(db), options);
}

CheckReport check_store(const std::string& db, bool quick) {
  if (is_postgres_url(db)) return check_postgres(db);
  return check_sqlite(sqlite_path(db), quick);
}

}  // namespace ll2::store
