// Schema evolution: what the declarations add is applied to older databases;
// an upgraded database has the same tables, columns and indexes as a fresh one.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>
#include <string>
#include <tuple>

#include "catalog/catalog.hpp"
#include "store/sqlite_migrations.hpp"
#include "store/store.hpp"
#include "test_util.hpp"

namespace {

using Shape = std::set<std::tuple<std::string, std::string, std::string>>;

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err != nullptr ? err : "") << " in " << sql.substr(0, 200);
}

// Every table's columns with their types, and every index with its table and
// columns; column order is not compared (ADD COLUMN appends).
Shape shape(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Shape out;
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT m.type, m.name, coalesce(p.name, '') || ' ' || coalesce(p.type, '') "
      "FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' "
      "UNION ALL SELECT m.type, m.name, m.tbl_name || ' ' || i.name "
      "FROM sqlite_master m, pragma_index_info(m.name) i WHERE m.type = 'index'";
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    out.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                reinterpret_cast<const char*>(sqlite3_column_text(st, 1)),
                reinterpret_cast<const char*>(sqlite3_column_text(st, 2)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// A database as the first release (schema version 1) wrote it, with a row.
void make_release_one(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  exec(db, ll2::test::read_file(LL2D_FIXTURES "/schema-v1.sql"));
  exec(db, "INSERT INTO space_station (id, name) VALUES (4, 'Mir')");
  exec(db, "INSERT INTO celestial_body (id, name, diameter) VALUES (1, 'Earth', 12742000)");
  exec(db, "INSERT INTO info_url (owner_id, position, url) VALUES (7, 0, 'https://mir.example')");
  exec(db, "PRAGMA user_version = 1");
  sqlite3_close(db);
}

}  // namespace

TEST(Migrations, UpgradedPreviousReleaseEqualsAFreshDatabase) {
  ll2::test::TempDir dir;
  const std::string old_db = dir.file("old.sqlite3");
  const std::string fresh_db = dir.file("fresh.sqlite3");
  make_release_one(old_db);
  ASSERT_TRUE(ll2::store::open_sqlite(fresh_db, ll2::test::schema()).store);
  {
    // What later declarations add, taken away: a table, a column, an index.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old_db.c_str(), &db), SQLITE_OK);
    exec(db, "DROP TABLE vid_url_type; ALTER TABLE space_station DROP COLUMN description; " +
                 std::string("DROP INDEX \"docking_event__docking\""));
    sqlite3_close(db);
    ASSERT_NE(shape(old_db), shape(fresh_db));
  }
  const auto opened = ll2::store::open_sqlite(old_db, ll2::test::schema());
  ASSERT_TRUE(opened.store) << opened.error;
  const auto row =
      opened.store->load(*ll2::model::registry().find_kind("space_station"), int64_t{4});
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(std::get<std::string>(row->at(1)), "Mir");
  // A float stored before numbers kept their imported form stays a float
  // (its integer-form column, added by the upgrade, is NULL).
  const auto& body = *ll2::model::registry().find_kind("celestial_body");
  const auto earth = opened.store->load(body, int64_t{1});
  ASSERT_TRUE(earth.has_value());
  const auto diameter = static_cast<size_t>(body.field("diameter")->column);
  EXPECT_EQ(std::get<double>(earth->at(diameter)), 12742000.0);
  // Version 2 keeps a mission's info URLs in mission__info_urls.
  const auto& mission = *ll2::model::registry().find_kind("mission");
  const auto urls = opened.store->owned_rows(*mission.field("info_urls"), int64_t{7});
  ASSERT_EQ(urls.size(), 1U);
  EXPECT_EQ(shape(old_db), shape(fresh_db));
  // Opening again changes nothing.
  ASSERT_TRUE(ll2::store::open_sqlite(old_db, ll2::test::schema()).store);
  EXPECT_EQ(shape(old_db), shape(fresh_db));
}

TEST(Migrations, ATypeChangeNeedsAHandWrittenStep) {
  ll2::test::TempDir dir;
  const std::string path = dir.file("db.sqlite3");
  make_release_one(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  exec(db, "DROP TABLE language; CREATE TABLE language (id INTEGER PRIMARY KEY, name INTEGER)");
  sqlite3_close(db);
  const auto opened = ll2::store::open_sqlite(path, ll2::test::schema());
  EXPECT_FALSE(opened.store);
  EXPECT_NE(opened.error.find("column language.name is INTEGER in the database but TEXT"),
            std::string::npos)
      << opened.error;
}

TEST(Migrations, ForeignAndNewerFilesAreRefusedUntouched) {
  ll2::test::TempDir dir;
  const std::string foreign = dir.file("foreign.sqlite3");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
  exec(db, "CREATE TABLE notes (t TEXT)");
  sqlite3_close(db);
  const std::string before = ll2::test::read_file(foreign);
  const auto opened = ll2::store::open_sqlite(foreign, ll2::test::schema());
  EXPECT_FALSE(opened.store);
  EXPECT_NE(opened.error.find("not an ll2d database"), std::string::npos);
  EXPECT_EQ(ll2::test::read_file(foreign), before);  // journal mode unchanged too

  const std::string newer = dir.file("newer.sqlite3");
  make_release_one(newer);
  ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
  exec(db, "PRAGMA user_version = " + std::to_string(ll2::store::kSchemaVersion + 1));
  sqlite3_close(db);
  EXPECT_NE(ll2::store::open_sqlite(newer, ll2::test::schema()).error.find("newer than this ll2d"),
            std::string::npos);
}

// A store's tables are those of the declarations it is opened with (a
// parameter, not a global): a schema of one kind gets that kind's table and
// ll2d's own, none of LL2's; checked against LL2's declarations, the same
// file is behind them.
TEST(Migrations, AStoreHoldsTheTablesOfTheSchemaItIsOpenedWith) {
  ll2::model::Registry one;
  ll2::model::declare::KindBuilder{one.kind("widget")}.text({"name"});
  ASSERT_TRUE(one.resolve().empty());
  ll2::test::TempDir dir;
  const std::string path = dir.file("db.sqlite3");
  {
    const auto opened = ll2::store::open_sqlite(path, one);
    ASSERT_TRUE(opened.store) << opened.error;
    EXPECT_EQ(&opened.store->schema(), &one);
  }
  std::set<std::string> tables;
  for (const auto& [type, name, column] : shape(path)) {
    const bool ours = name.starts_with("ll2d_") || name.starts_with("sqlite_");
    if (type == "table" && !ours) tables.insert(name);
  }
  EXPECT_EQ(tables, std::set<std::string>{"widget"});
  EXPECT_TRUE(ll2::store::check_sqlite(path, one, true).problems.empty());

  const auto ll2_report = ll2::store::check_sqlite(path, ll2::test::schema(), true);
  ASSERT_EQ(ll2_report.problems.size(), 1U);
  EXPECT_NE(ll2_report.problems[0].find("changes behind"), std::string::npos)
      << ll2_report.problems[0];
}
