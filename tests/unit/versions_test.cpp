// API versions as values (docs/api-versions.md): a throw-away version
// declared here as the docs say, derived from 2.3.0 over the same kinds, and
// served by the engine from the same database; and 2.3.0 beside 2.4.0.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"

using namespace ll2;
using namespace ll2::model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

namespace {

model::Version throwaway_version() {
  model::Version v;
  v.name = "9.9.9";
  v.prefix = "/api/ll/9.9.9/";
  v.title = "A version declared by a test";
  v.mode_routes = true;
  v.mode_route_names = {{"list", "mini"}};
  return v;
}

// 2.3.0's declarations changed as docs/api-versions.md shows: a resource
// dropped, one changed, a view with a key through foreign keys, a link and a
// computed value.
model::Catalog throwaway_catalog() {
  model::Registry v = model::Registry::derived(model::registry(), throwaway_version());
  v.drop_resource("agencies");
  v.change_resource("docking_events").ordering_fields = {"id"};
  v.change_view("AgencyMini")
      .set(path("type_name", "type__name"))
      .set(hyperlink("type", "config/agency_types"))
      .set(computed(
          "named", model::ColumnType::Boolean, {"name"},
          [](const std::vector<Value>& name) { return Value(int64_t{is_null(name[0]) ? 0 : 1}); }));
  // A resource of its own, as docs/adding-an-endpoint.md declares one.
  v.view("AgencyTypeName", "agency_type", {id(), col("name")});
  v.resource({
      .path = "agency_type_names",
      .singular = "Agency Type Name",
      .plural = "Agency Type Names",
      .modes = {{"normal", "AgencyTypeName"}},
      .filters = filters({lookups("name", {model::Lookup::Exact, model::Lookup::IContains})}),
      .search_fields = {"name"},
      .ordering_fields = {"name"},
      .default_ordering = {"name"},
      .mode_parameter = false,
  });
  const auto problems = v.resolve();
  EXPECT_TRUE(problems.empty()) << problems.front();
  std::vector<model::Registry> versions;
  versions.push_back(std::move(v));
  return model::Catalog(std::move(versions));
}

class Versions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    auto opened = store::open_sqlite(dir->file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    const auto& root = *model::registry().find_resource("docking_events")->kind;
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(ingest::import_file(
        *opened.store, test::catalog(), &root, LL2D_FIXTURES "/docking_event_609_detailed.json")));
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static std::unique_ptr<store::Store> open() {
    return std::move(store::open_sqlite(dir->file("db.sqlite3"), test::schema()).store);
  }
  static api::Engine engine(const model::Catalog& catalog) {
    return {catalog, open, test::without_budget()};
  }
  static test::TempDir* dir;
};
test::TempDir* Versions::dir = nullptr;

}  // namespace

TEST_F(Versions, AThrowAwayVersionIsServedFromTheSameDatabase) {
  const model::Catalog catalog = throwaway_catalog();
  const api::Engine e = engine(catalog);
  const auto root = e.handle({"GET", "/api/ll/9.9.9/", "t", ""});
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_NE(root.body.find("\"docking_events\":\"http://t/api/ll/9.9.9/docking_events/\""),
            std::string::npos);
  EXPECT_EQ(root.body.find("\"agencies\""), std::string::npos) << "dropped";
  // The catalog serves this version only: 2.3.0's prefix is no route here.
  EXPECT_EQ(e.handle({"GET", "/2.3.0/docking_events/609/", "t", ""}).status, 404);
  EXPECT_EQ(e.handle({"GET", "/api/ll/9.9.9/agencies/", "t", ""}).status, 404);

  const auto detail = e.handle({"GET", "/api/ll/9.9.9/docking_events/609/", "t", ""});
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(
      detail.body.rfind("{\"id\":609,\"url\":\"http://t/api/ll/9.9.9/docking_events/609/\"", 0),
      0U);
  // The changed view, nested in the detail: its new keys, as declared.
  EXPECT_NE(detail.body.find("\"abbrev\":\"CASC\",\"type\":\"http://t/api/ll/9.9.9/config/"
                             "agency_types/1/\",\"type_name\":\"Government\",\"named\":true}"),
            std::string::npos)
      << detail.body;

  // The resource declared here: its list, filter, search and detail.
  const auto names =
      e.handle({"GET", "/api/ll/9.9.9/agency_type_names/?name__icontains=GOV", "t", ""});
  EXPECT_EQ(names.body,
            "{\"count\":1,\"next\":null,\"previous\":null,\"results\":[{\"id\":1,\"name\":"
            "\"Government\"}]}");
  EXPECT_EQ(e.handle({"GET", "/api/ll/9.9.9/agency_type_names/?search=nothing", "t", ""}).body,
            "{\"count\":0,\"next\":null,\"previous\":null,\"results\":[]}");
  EXPECT_EQ(e.handle({"GET", "/api/ll/9.9.9/agency_type_names/1/", "t", ""}).body,
            "{\"id\":1,\"name\":\"Government\"}");
  // The changed resource: docking_events orders by id only here.
  EXPECT_EQ(e.handle({"GET", "/api/ll/9.9.9/docking_events/?ordering=id", "t", ""}).status, 200);
  const auto ordered = e.handle({"GET", "/api/ll/9.9.9/docking_events/?ordering=docking", "t", ""});
  EXPECT_EQ(ordered.status, 200);
  EXPECT_NE(ordered.body.find("\"count\":1"), std::string::npos) << "unknown orderings are ignored";
  const auto schema = e.handle({"GET", "/api/ll/9.9.9/schema/", "t", ""});
  EXPECT_NE(schema.body.find("\"title\":\"A version declared by a test\""), std::string::npos);
  EXPECT_NE(schema.body.find("\"/api/ll/9.9.9/docking_events/{id}/\""), std::string::npos);
}

TEST_F(Versions, TwoThreeZeroAndTwoFourZeroFromOneDatabase) {
  const api::Engine e = engine(test::catalog());  // every version ll2d declares
  const auto old = e.handle({"GET", "/2.3.0/docking_events/", "t", ""});
  const auto now = e.handle({"GET", "/api/ll/2.4.0/docking_events/", "t", ""});
  ASSERT_EQ(old.status, 200);
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(old.body.find("\"url\":\"http://t/2.3.0/docking_events/609/\""), std::string::npos);
  EXPECT_NE(now.body.find("\"url\":\"http://t/api/ll/2.4.0/docking_events/609/\""),
            std::string::npos);
  // 2.4.0's mode routes, and no `mode` parameter: the mini list prints the
  // list view whatever `mode` says.
  const auto mini = e.handle({"GET", "/api/ll/2.4.0/launches/mini/?mode=detailed", "t", ""});
  EXPECT_EQ(mini.status, 200);
  EXPECT_EQ(e.handle({"GET", "/api/ll/2.4.0/launches/upcoming/", "t", ""}).status, 404);
  EXPECT_EQ(e.handle({"GET", "/2.3.0/launches/mini/", "t", ""}).status, 404);
  EXPECT_EQ(e.handle({"GET", "/2.3.0/launches/upcoming/", "t", ""}).status, 200);
}

TEST(VersionDeclarations, ALaterVersionCannotDeclareKinds) {
  model::Registry v = model::Registry::derived(model::registry(), throwaway_version());
  EXPECT_THROW(v.kind("rocket_part"), std::logic_error);
  EXPECT_THROW(v.change_view("NoSuchView"), std::logic_error);
  EXPECT_THROW(v.change_resource("no_such_resource"), std::logic_error);
}

TEST(VersionDeclarations, ABadPathOrComputedColumnIsAStartUpError) {
  model::Registry v = model::Registry::derived(model::registry(), throwaway_version());
  v.change_view("AgencyMini")
      .set(path("nowhere", "type__nowhere"))
      .set(computed("x", model::ColumnType::Boolean, {"no_column"},
                    [](const std::vector<Value>&) { return Value(); }));
  // Each view extending AgencyMini inherits the two keys, and says so.
  const auto problems = v.resolve();
  const auto mentioning = [&](std::string_view what) {
    return std::count_if(problems.begin(), problems.end(),
                         [&](const std::string& p) { return p.find(what) != std::string::npos; });
  };
  EXPECT_GE(mentioning("view AgencyMini: type__nowhere is no column"), 1);
  EXPECT_GE(mentioning("view AgencyMini: x is computed from no_column"), 1);
  EXPECT_EQ(mentioning("nowhere") + mentioning("no_column"),
            static_cast<std::ptrdiff_t>(problems.size()));
}

// An LL2 2.4.0 page names its version in each object's url: the import reads
// it without --resource, into the same kinds.
TEST_F(Versions, A240ObjectIsImportedByItsUrl) {
  const api::Engine e = engine(test::catalog());
  const auto served = e.handle({"GET", "/api/ll/2.4.0/docking_events/609/", "t", ""});
  ASSERT_EQ(served.status, 200);
  auto collected = ingest::collect(test::catalog(), nullptr, served.body, "609.json");
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(collected))
      << std::get<ingest::ImportError>(collected).to_string();
  test::TempDir other;
  auto opened = store::open_sqlite(other.file("db.sqlite3"), test::schema());
  ASSERT_TRUE(opened.store);
  ASSERT_FALSE(opened.store->write(std::get<ingest::Collected>(collected).batch));
  const api::Engine copy(
      test::catalog(),
      [&] { return std::move(store::open_sqlite(other.file("db.sqlite3"), test::schema()).store); },
      test::without_budget());
  const auto again = copy.handle({"GET", "/2.3.0/docking_events/609/", "t", ""});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.body.find("\"docking\":\"2024-06-06T06:48:00Z\""), std::string::npos)
      << again.body;
}

// What a version's views print otherwise than the kinds store is what its
// import reads otherwise: 2.3.0 prints every key as stored; 2.4.0 computes
// a station's `deorbited` and links a stage's rocket by its URL.
TEST(VersionDeclarations, KeysReadBackOtherwiseAreThoseTheViewsPrintOtherwise) {
  std::vector<std::string> seen;
  for (const auto& v : model::catalog().versions()) {
    for (const auto& [kind, keys] : v.import_exceptions()) {
      for (const auto& [key, read] : keys)
        seen.push_back(fmt::format("{} {}.{}: {}{}", v.version().name, kind->name, key,
                                   read.field != nullptr ? read.field->name : "not read",
                                   read.url ? " from a URL" : ""));
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"2.4.0 first_stage.rocket: rocket from a URL",
                                            "2.4.0 space_station.deorbited: not read"}));
}

// 2.4.0's filters in place of 2.3.0's routes: the time windows split the
// launches at "now", and `docked` the docking events at their departure.
TEST_F(Versions, TwoFourZeroTimeWindowsAndDockedAreFilters) {
  api::EngineOptions o = test::without_budget();
  o.now = int64_t{1717632000} * 1000000;  // 2024-06-06T00:00:00Z
  const api::Engine e(test::catalog(), open, o);
  const auto count = [&](const std::string& query) {
    const auto r = e.handle({"GET", "/api/ll/2.4.0/" + query, "t", ""});
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    const size_t at = r.body.find("\"count\":");
    return at == std::string::npos ? -1 : std::stoll(r.body.substr(at + 8));
  };
  const auto all = count("launches/");
  ASSERT_GT(all, 0);
  // The record's one launch with a NET (2024-06-03T23:38:00Z) is before "now".
  EXPECT_EQ(count("launches/?previous=true"), 1);
  EXPECT_EQ(count("launches/?upcoming=true"), 0);
  EXPECT_EQ(count("launches/?upcoming=false"), all);
  EXPECT_GE(count("launches/?upcoming_with_recent=true"), count("launches/?upcoming=true"));
  EXPECT_EQ(count("docking_events/?docked=true") + count("docking_events/?docked=false"), 1);
  EXPECT_EQ(count("docking_events/?docking__year=2024"), 1);
  EXPECT_EQ(count("docking_events/?docking__year=2023"), 0);
  // 2.3.0 has none of these: unknown parameters are ignored there.
  EXPECT_NE(e.handle({"GET", "/2.3.0/docking_events/?docking__year=2023", "t", ""})
                .body.find("\"count\":1,"),
            std::string::npos);
}

// 2.4.0's day, month and year filters on a date (text `YYYY-MM-DD`) as on a
// date-time: an astronaut's birth and death, a configuration's maiden flight.
TEST(TwoFourZeroDateParts, DaysMonthsAndYearsOfDatesAreFilters) {
  test::TempDir dir;
  auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
  ASSERT_TRUE(opened.store);
  const std::string page = R"({"count": 2, "next": null, "previous": null, "results": [
    {"id": 1, "url": "https://ll.thespacedevs.com/2.3.0/astronauts/1/", "name": "One",
     "date_of_birth": "1970-03-09", "date_of_death": null},
    {"id": 2, "url": "https://ll.thespacedevs.com/2.3.0/astronauts/2/", "name": "Two",
     "date_of_birth": "1981-12-31", "date_of_death": "2020-03-01"}]})";
  auto collected = ingest::collect(test::catalog(), nullptr, page, "astronauts.json");
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(collected))
      << std::get<ingest::ImportError>(collected).to_string();
  ASSERT_FALSE(opened.store->write(std::get<ingest::Collected>(collected).batch));
  const api::Engine e(
      test::catalog(),
      [&] { return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store); },
      test::without_budget());
  const auto answer = [&](const std::string& query) {
    return e.handle({"GET", "/api/ll/2.4.0/astronauts/?" + query, "t", ""});
  };
  const auto ids = [&](const std::string& query) {
    const auto r = answer(query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::string out;
    for (size_t at = r.body.find("\"id\":"); at != std::string::npos;
         at = r.body.find("\"id\":", at + 1))
      out += r.body.substr(at + 5, 1);
    return out;
  };
  EXPECT_EQ(ids("date_of_birth__year=1970"), "1");
  EXPECT_EQ(ids("date_of_birth__month=12"), "2");
  EXPECT_EQ(ids("date_of_birth__day=9"), "1");
  EXPECT_EQ(ids("date_of_birth__year=1990"), "");
  EXPECT_EQ(ids("date_of_death__month=3"), "2");
  EXPECT_EQ(ids("date_of_death__year=2020&date_of_birth__day=31"), "2");
  // As django-filter's NumberFilter: a value that is not a number is a 400.
  const auto bad = answer("date_of_birth__year=x");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("date_of_birth__year"), std::string::npos) << bad.body;
}

// LL2 prints a mission's type and a stage's type by name only; 2.4.0 filters
// them by id (`mission_type__ids`, a stage's `type`), so the ids' names are
// matched. The stage's is a ModelChoiceFilter (an id that does not exist is a
// 400); the mission's a list of numbers (ids that do not exist match nothing).
TEST(TwoFourZeroTypeIds, TypesPrintedByNameAreFilteredByTheirIds) {
  test::TempDir dir;
  auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
  ASSERT_TRUE(opened.store);
  const std::string ll2 = "https://ll.thespacedevs.com/";
  const auto named = [&](const std::string& route, int id, const std::string& name) {
    return fmt::format(R"({{"id": {}, "url": "{}2.3.0/{}/{}/", "name": "{}"}})", id, ll2, route, id,
                       name);
  };
  const auto launch = [&](const std::string& uuid, int mission, const std::string& type) {
    return fmt::format(
        R"({{"id": "{}", "url": "{}2.3.0/launches/{}/", "name": "L", "mission": {{"id": {},
           "name": "M", "type": "{}"}}}})",
        uuid, ll2, uuid, mission, type);
  };
  const auto stage = [&](int id, const std::string& type) {
    return fmt::format(R"({{"id": {}, "url": "{}api/ll/2.4.0/stages/{}/", "type": "{}"}})", id, ll2,
                       id, type);
  };
  const auto page = [](const std::vector<std::string>& objects) {
    std::string joined;
    for (const auto& o : objects) joined += (joined.empty() ? "" : ",") + o;
    return fmt::format(R"({{"count": {}, "next": null, "previous": null, "results": [{}]}})",
                       objects.size(), joined);
  };
  for (const std::string& text :
       {page({named("config/mission_types", 1, "Communications"),
              named("config/mission_types", 2, "Resupply")}),
        page({named("config/first_stage_types", 1, "Core"),
              named("config/first_stage_types", 2, "Booster")}),
        page({launch("00000000-0000-0000-0000-000000000001", 10, "Communications"),
              launch("00000000-0000-0000-0000-000000000002", 11, "Resupply"),
              launch("00000000-0000-0000-0000-000000000003", 12, "Resupply")}),
        page({stage(1, "Core"), stage(2, "Booster"), stage(3, "Booster")})}) {
    auto collected = ingest::collect(test::catalog(), nullptr, text, "page.json");
    ASSERT_TRUE(std::holds_alternative<ingest::Collected>(collected))
        << std::get<ingest::ImportError>(collected).to_string();
    ASSERT_FALSE(opened.store->write(std::get<ingest::Collected>(collected).batch));
  }
  const api::Engine e(
      test::catalog(),
      [&] { return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store); },
      test::without_budget());
  const auto count = [&](const std::string& query) {
    const auto r = e.handle({"GET", "/api/ll/2.4.0/" + query, "t", ""});
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    const size_t at = r.body.find("\"count\":");
    return at == std::string::npos ? -1 : std::stoll(r.body.substr(at + 8));
  };
  EXPECT_EQ(count("launches/?mission_type__ids=1"), 1);
  EXPECT_EQ(count("launches/?mission_type__ids=2"), 2);
  EXPECT_EQ(count("launches/?mission_type__ids=1,2"), 3);
  EXPECT_EQ(count("launches/?mission_type__ids=99"), 0);
  EXPECT_EQ(count("stages/?type=1"), 1);
  EXPECT_EQ(count("stages/?type=2"), 2);
  const auto unknown = e.handle({"GET", "/api/ll/2.4.0/stages/?type=99", "t", ""});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("\"type\""), std::string::npos) << unknown.body;
  // A detail is filtered as its list is (DRF's get_object filters first).
  EXPECT_EQ(e.handle({"GET", "/api/ll/2.4.0/stages/1/?type=1", "t", ""}).status, 200);
  EXPECT_EQ(e.handle({"GET", "/api/ll/2.4.0/stages/1/?type=2", "t", ""}).status, 404);
}
