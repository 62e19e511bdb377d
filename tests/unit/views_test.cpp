// The view vocabulary on a small registry of its own: keys printed from a
// differently named field (`from`), views extending views (`extends`,
// `without`), reverse relations, and rows of one kind held by two owners.
// Each is rendered from a real SQLite store and imported back.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "api/serializer.hpp"
#include "ingest/importer.hpp"
#include "model/schema.hpp"
#include "store/sql_builder.hpp"
#include "store/sqlite_migrations.hpp"
#include "test_util.hpp"

using namespace ll2;
using namespace ll2::model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::IdType;
using model::Registry;

namespace {

// Stations with docks (a dock's foreign key names its station), crews that
// fly patches (a many-to-many) and stages landing on a landing (one-to-one).
void declare_test_kinds(Registry& r) {
  KindBuilder{r.kind("station")}
      .text({"name"})
      .reverse("docks", "dock", "station")
      .rows("links", "link");
  KindBuilder{r.kind("dock")}.text({"name"}).fk("station", "station");
  KindBuilder{r.kind("patch")}
      .text({"name"})
      .reverse("crews", "crew", "patches")
      .rows("links", "link");
  KindBuilder{r.kind("crew")}.text({"name"}).m2m("patches", "patch");
  KindBuilder{r.kind("landing")}.text({"name"}).reverse_one("stage", "stage", "landing");
  KindBuilder{r.kind("stage")}.text({"name"}).fk("landing", "landing");
  KindBuilder{r.kind("link", IdType::None)}.text({"url"});
  // Reverse relations listed by the target's name, as LL2's model orders them.
  KindBuilder{r.kind("maker")}.text({"name"}).reverse("models", "model", "maker", "name");
  KindBuilder{r.kind("model")}.text({"name"}).fk("maker", "maker").m2m("tags", "tag");
  KindBuilder{r.kind("tag")}.text({"name"}).reverse("models", "model", "tags", "name");
}

void declare_test_views(Registry& r) {
  r.view("Link", "link", {col("url")});
  r.view("DockMini", "dock", {id(), col("name")});
  r.view("StationMini", "station", {mode("list"), id(), col("name")});
  r.view("StationFull", "station",
         {mode("detailed"), nested("dock", "DockMini").from("docks"), nested("links", "Link")})
      .extends("StationMini");
  r.view("PatchMini", "patch", {id(), col("name")});
  r.view("PatchFull", "patch",
         {id(), col("name"), nested("crews", "CrewMini"), nested("links", "Link")});
  r.view("CrewMini", "crew", {id(), col("name")});
  r.view("CrewFull", "crew", {id(), col("name"), nested("patches", "PatchMini")});
  r.view("StageMini", "stage", {id(), col("name")});
  r.view("LandingFull", "landing", {id(), col("name"), nested("stage", "StageMini")});
  r.view("ModelMini", "model", {id(), col("name")});
  r.view("TagMini", "tag", {id()});
  r.view("ModelFull", "model", {id(), col("name"), nested("tags", "TagMini")});
  r.view("MakerFull", "maker", {id(), nested("models", "ModelMini")});
  r.view("TagFull", "tag", {id(), nested("models", "ModelMini")});
}

Registry test_registry() {
  Registry r;
  declare_test_kinds(r);
  declare_test_views(r);
  const auto problems = r.resolve();
  EXPECT_TRUE(problems.empty()) << problems.front();
  return r;
}

std::vector<std::string> keys(const model::View& v) {
  std::vector<std::string> out;
  for (const auto& f : v.fields) out.push_back(f.key);
  return out;
}

std::vector<std::string> problems_of(void (*declare)(Registry&)) {
  Registry r;
  declare_test_kinds(r);
  declare(r);
  return r.resolve();
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

// A database holding the test registry's tables (its schema), opened as a store.
class ViewStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite(dir.file("db.sqlite3"), reg);
    ASSERT_TRUE(opened.store) << opened.error;
    db_ = std::move(opened.store);
  }

  void import(const std::string& kind, const std::string& json) {
    auto r = ingest::collect(test::catalog(), *reg.find_kind(kind), json, "test.json");
    ASSERT_TRUE(std::holds_alternative<ingest::Collected>(r))
        << std::get<ingest::ImportError>(r).to_string();
    ASSERT_FALSE(db_->write(std::get<ingest::Collected>(r).batch));
  }

  std::string render(const std::string& view_name, const Value& id) {
    const model::View& v = *reg.find_view(view_name);
    api::RowCache cache(*db_);
    cache.refresh();
    const auto row = cache.load(*v.kind, id);
    if (!row) return "absent";
    std::string out;
    json::Writer w(out);
    api::UrlContext urls{"http://x", "", "", "/2.3.0/"};
    api::Serializer(cache, urls).write(w, v, *row);
    return out;
  }

  std::string query_plan(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(dir.file("db.sqlite3").c_str(), &db);
    sqlite3_stmt* st = nullptr;
    std::string plan;
    if (sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW)
        plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return plan;
  }

  Registry reg = test_registry();
  test::TempDir dir;
  std::unique_ptr<store::Store> db_;
};

}  // namespace

// --- extension ---

TEST(ViewExtension, InheritsReplacesInPlaceAndAppends) {
  const Registry r = test_registry();
  const model::View& full = *r.find_view("StationFull");
  EXPECT_EQ(keys(full), (std::vector<std::string>{"response_mode", "id", "name", "dock", "links"}));
  EXPECT_EQ(full.fields[0].text, "detailed");  // replaced in place, not appended
  EXPECT_EQ(r.find_view("StationMini")->fields[0].text, "list");
}

TEST(ViewExtension, ChainsAndOmitsParentKeys) {
  Registry r;
  declare_test_kinds(r);
  // Declared before its parents: extension does not depend on order.
  r.view("C", "station", {col("name")}).extends("B").without({"id"});
  r.view("B", "station", {mode("normal")}).extends("A");
  r.view("A", "station", {id(), mode("list")});
  ASSERT_TRUE(r.resolve().empty());
  EXPECT_EQ(keys(*r.find_view("B")), (std::vector<std::string>{"id", "response_mode"}));
  EXPECT_EQ(r.find_view("B")->fields[1].text, "normal");
  EXPECT_EQ(keys(*r.find_view("C")), (std::vector<std::string>{"response_mode", "name"}));
}

TEST(ViewExtension, ProblemsAreReported) {
  EXPECT_TRUE(mentions(problems_of([](Registry& r) {
                         r.view("A", "station", {id()}).extends("B");
                         r.view("B", "station", {id()}).extends("A");
                       }),
                       "extends itself"));
  EXPECT_TRUE(
      mentions(problems_of([](Registry& r) { r.view("A", "station", {id()}).extends("Nope"); }),
               "extends unknown view Nope"));
  EXPECT_TRUE(mentions(problems_of([](Registry& r) {
                         r.view("A", "dock", {id()});
                         r.view("B", "station", {col("name")}).extends("A");
                       }),
                       "a view of dock"));
  EXPECT_TRUE(mentions(problems_of([](Registry& r) {
                         r.view("A", "dock", {id()});
                         r.view("B", "dock", {}).extends("A").without({"name"});
                       }),
                       "omits name"));
}

// --- source ---

TEST(ViewSource, KeyNamesAnotherField) {
  const Registry r = test_registry();
  const model::ViewField& dock = r.find_view("StationFull")->fields[3];
  EXPECT_EQ(dock.key, "dock");
  EXPECT_EQ(dock.field->name, "docks");
  EXPECT_EQ(r.find_kind("station")->field_for_key("dock"), dock.field);
  EXPECT_EQ(r.find_kind("station")->field_for_key("docks"), dock.field);
  EXPECT_EQ(r.find_kind("station")->field_for_key("name"), r.find_kind("station")->field("name"));
}

TEST(ViewSource, ClashesAreReported) {
  // `name` printed from `station` while `name` is a field of its own.
  EXPECT_TRUE(mentions(problems_of([](Registry& r) {
                         r.view("A", "dock", {nested("name", "StationMini").from("station")});
                         r.view("StationMini", "station", {id()});
                       }),
                       "key name from station clashes"));
  // One key read back into two fields.
  EXPECT_TRUE(mentions(problems_of([](Registry& r) {
                         r.view("A", "dock", {col("label").from("name")});
                         r.view("B", "dock", {nested("label", "S").from("station")});
                         r.view("S", "station", {id()});
                       }),
                       "clashes"));
  EXPECT_TRUE(mentions(problems_of([](Registry& r) { r.view("A", "dock", {col("x").from("y")}); }),
                       "dock has no field y"));
}

// --- reverse relations ---

TEST(ReverseRelation, DeclarationsAreChecked) {
  Registry r;
  KindBuilder{r.kind("a")}.text({"name"}).reverse("bs", "b", "name").reverse("cs", "b", "other");
  KindBuilder{r.kind("b")}.text({"name"}).fk("other", "b");
  const auto problems = r.resolve();
  EXPECT_TRUE(mentions(problems, "a.bs: b.name is not a foreign key"));
  EXPECT_TRUE(mentions(problems, "a.cs: b.other is not a foreign key or many-to-many to a"));
}

TEST(ReverseRelation, SchemaIndexesTheForeignKeyAndTheLinkTarget) {
  const Registry r = test_registry();
  const auto ddl = store::sql::schema(r);
  const auto has = [&](const std::string& s) {
    return std::find(ddl.begin(), ddl.end(), s) != ddl.end();
  };
  EXPECT_TRUE(has(R"(CREATE INDEX "dock__station" ON "dock" ("station_id", id))"));
  EXPECT_TRUE(
      has(R"(CREATE INDEX "crew__patches__target" ON "crew__patches" (target_id, owner_id))"));
  EXPECT_TRUE(has(R"(CREATE INDEX "stage__landing" ON "stage" ("landing_id", id))"));
}

TEST_F(ViewStore, ReverseListRendersInIdOrderAndImportsBack) {
  import("station", R"({"response_mode": "detailed", "id": 1, "name": "One",
      "dock": [{"id": 12, "name": "b"}, {"id": 11, "name": "a"}], "links": []})");
  EXPECT_EQ(render("StationFull", int64_t{1}),
            R"({"response_mode":"detailed","id":1,"name":"One",)"
            R"("dock":[{"id":11,"name":"a"},{"id":12,"name":"b"}],"links":[]})");
  // A dock that leaves the list is detached; one that moves keeps its row.
  import("station", R"({"id": 2, "name": "Two", "dock": [{"id": 12, "name": "b2"}]})");
  EXPECT_EQ(render("StationFull", int64_t{1}), R"({"response_mode":"detailed","id":1,"name":"One",)"
                                               R"("dock":[{"id":11,"name":"a"}],"links":[]})");
  import("station", R"({"id": 1, "dock": []})");
  EXPECT_EQ(render("StationFull", int64_t{1}),
            R"({"response_mode":"detailed","id":1,"name":"One","dock":[],"links":[]})");
  EXPECT_EQ(render("StationFull", int64_t{2}), R"({"response_mode":"detailed","id":2,"name":"Two",)"
                                               R"("dock":[{"id":12,"name":"b2"}],"links":[]})");
  EXPECT_EQ(render("DockMini", int64_t{11}), R"({"id":11,"name":"a"})");
}

TEST_F(ViewStore, ReverseReadUsesTheForeignKeyIndex) {
  const auto& station = *reg.find_kind("station");
  const auto& patch = *reg.find_kind("patch");
  EXPECT_NE(query_plan(store::sql::select_related_ids(station, *station.field("docks")))
                .find("INDEX dock__station"),
            std::string::npos);
  EXPECT_NE(query_plan(store::sql::select_related_ids(patch, *patch.field("crews")))
                .find("INDEX crew__patches__target"),
            std::string::npos);
}

TEST_F(ViewStore, ReverseManyToManyReadsAndWritesTheForwardLinks) {
  import("crew", R"({"id": 5, "name": "Five", "patches": [{"id": 1, "name": "P"}]})");
  import("crew", R"({"id": 3, "name": "Three", "patches": [{"id": 1, "name": "P"}]})");
  EXPECT_EQ(render("PatchFull", int64_t{1}),
            R"({"id":1,"name":"P","crews":[{"id":3,"name":"Three"},{"id":5,"name":"Five"}],)"
            R"("links":[]})");
  // The patch's own list is complete: crew 5 no longer flies it.
  import("patch", R"({"id": 1, "crews": [{"id": 3}, {"id": 7, "name": "Seven"}]})");
  EXPECT_EQ(render("CrewFull", int64_t{5}), R"({"id":5,"name":"Five","patches":[]})");
  EXPECT_EQ(render("CrewFull", int64_t{7}),
            R"({"id":7,"name":"Seven","patches":[{"id":1,"name":"P"}]})");
}

TEST_F(ViewStore, ReverseOneToOneIsAnObjectOrNull) {
  import("landing", R"({"id": 4, "name": "L", "stage": null})");
  EXPECT_EQ(render("LandingFull", int64_t{4}), R"({"id":4,"name":"L","stage":null})");
  import("landing", R"({"id": 4, "stage": {"id": 9, "name": "S"}})");
  EXPECT_EQ(render("LandingFull", int64_t{4}),
            R"({"id":4,"name":"L","stage":{"id":9,"name":"S"}})");
  import("landing", R"({"id": 4, "stage": null})");
  EXPECT_EQ(render("LandingFull", int64_t{4}), R"({"id":4,"name":"L","stage":null})");
}

// --- rows held by owners of two kinds ---

TEST_F(ViewStore, RowsOfOwnersOfDifferentKindsWithTheSameIdStayApart) {
  import("station",
         R"({"id": 1, "name": "S", "dock": [], "links": [{"url": "s1"}, {"url": "s2"}]})");
  import("patch", R"({"id": 1, "name": "P", "crews": [], "links": [{"url": "p1"}]})");
  EXPECT_EQ(render("PatchFull", int64_t{1}),
            R"({"id":1,"name":"P","crews":[],"links":[{"url":"p1"}]})");
  EXPECT_EQ(render("StationFull", int64_t{1}),
            R"({"response_mode":"detailed","id":1,"name":"S","dock":[],)"
            R"("links":[{"url":"s1"},{"url":"s2"}]})");
}

TEST_F(ViewStore, ReverseListsCanFollowTheTargetsOrdering) {
  import("maker", R"({"id": 1, "models": [{"id": 1, "name": "b"}, {"id": 2, "name": "a"},
      {"id": 3, "name": null}, {"id": 4, "name": "a"}]})");
  EXPECT_EQ(render("MakerFull", int64_t{1}),
            R"({"id":1,"models":[{"id":2,"name":"a"},{"id":4,"name":"a"},{"id":1,"name":"b"},)"
            R"({"id":3,"name":null}]})");
  for (int id = 1; id <= 4; ++id) {
    import("model", "{\"id\": " + std::to_string(id) + R"(, "tags": [{"id": 7}]})");
  }
  EXPECT_EQ(render("TagFull", int64_t{7}),
            R"({"id":7,"models":[{"id":2,"name":"a"},{"id":4,"name":"a"},{"id":1,"name":"b"},)"
            R"({"id":3,"name":null}]})");
  const auto ddl = store::sql::schema(reg);
  EXPECT_NE(std::find(ddl.begin(), ddl.end(),
                      R"(CREATE INDEX "model__maker" ON "model" ("maker_id", "name", id))"),
            ddl.end());
  const auto& maker = *reg.find_kind("maker");
  EXPECT_NE(query_plan(store::sql::select_related_ids(maker, *maker.field("models")))
                .find("INDEX model__maker"),
            std::string::npos);
}
