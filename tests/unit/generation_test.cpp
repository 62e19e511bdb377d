// Store::generation_now on SQLite: read on I/O threads for every cached
// answer, it must see another connection's commit at once, however the
// write-ahead log moved meanwhile (appended, checkpointed, restarted).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/store.hpp"
#include "test_util.hpp"

namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err != nullptr ? err : "") << " in " << sql;
}

}  // namespace

TEST(GenerationNow, AnotherConnectionsCommitIsSeenAtOnce) {
  ll2::test::TempDir dir;
  const std::string path = dir.file("db.sqlite3");
  auto opened = ll2::store::open_sqlite(path, ll2::test::schema());
  ASSERT_TRUE(opened.store) << opened.error;
  ll2::store::Store& store = *opened.store;
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  exec(other,
       "INSERT INTO ll2d_state (singleton, generation) VALUES (1, 1) ON CONFLICT DO NOTHING");
  const auto bump = [&] { exec(other, "UPDATE ll2d_state SET generation = generation + 1"); };
  const auto stored = [&] {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(other, "SELECT generation FROM ll2d_state", -1, &st, nullptr);
    sqlite3_step(st);
    const auto v = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return v;
  };
  for (int round = 0; round < 50; ++round) {
    // Asked twice without a write: the second answer comes from the WAL
    // index's header alone, and is the same.
    EXPECT_EQ(store.generation_now(), stored());
    EXPECT_EQ(store.generation_now(), stored());
    switch (round % 4) {
      case 0:  // appended to the log
        bump();
        break;
      case 1:  // the log copied into the file and emptied, then written again
        exec(other, "PRAGMA wal_checkpoint(TRUNCATE)");
        bump();
        break;
      case 2:  // restarted from its beginning
        exec(other, "PRAGMA wal_checkpoint(RESTART)");
        bump();
        break;
      default:  // two commits between two questions
        bump();
        bump();
        break;
    }
    EXPECT_EQ(store.generation_now(), stored()) << "round " << round;
  }
  sqlite3_close(other);
}
