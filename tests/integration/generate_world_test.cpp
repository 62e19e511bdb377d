// `ll2d generate` writes one consistent world for every endpoint: importing
// its pages into a fresh database gives back the generator's own database,
// every route answers alike from either (lists and details, in every mode),
// the pages are what a server answers for them, and every object a page
// mentions can be fetched at its url.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "harness.hpp"
#include "model/schema.hpp"

using namespace ll2::test;

namespace {

constexpr const char* kBase = "https://ll2d.example";

struct Route {
  std::string path;  // launches, launches/upcoming, config/orbits
  const ll2::model::Resource* resource;
};

std::vector<Route> every_route() {
  std::vector<Route> out;
  for (const auto& r : ll2::model::registry().resources()) {
    out.push_back({r->path, r.get()});
    for (const auto& a : r->actions) out.push_back({r->path + "/" + a.name, r.get()});
  }
  return out;
}

// `?mode=…&` for each mode a route takes, or nothing.
std::vector<std::string> mode_queries(const ll2::model::Resource& r) {
  if (!r.mode_parameter) return {""};
  std::vector<std::string> out;
  for (const auto& m : r.modes) out.push_back("mode=" + m.name + "&");
  return out;
}

std::string id_text(const rapidjson::Value& id) {
  return id.IsString() ? id.GetString() : std::to_string(id.GetInt64());
}

// The objects with an id and an LL2 url, anywhere in a document.
void urls(const rapidjson::Value& v, std::set<std::string>& out) {
  if (v.IsObject()) {
    if (v.HasMember("id") && v.HasMember("url") && v["url"].IsString()) {
      const std::string url = v["url"].GetString();
      if (url.starts_with(kBase)) out.insert(url);
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) urls(it->value, out);
  } else if (v.IsArray()) {
    for (const auto& x : v.GetArray()) urls(x, out);
  }
}

class GeneratedWorld : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto g = run_ll2d({"generate", "--events", "200", "--seed", "9", "--out", out(), "--db",
                             generated_db(), "--quiet"},
                            300);
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const auto i = run_ll2d({"import", "--db", imported_db(), out()}, 300);
    ASSERT_EQ(i.exit_code, 0) << i.err;
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static std::string out() { return dir->file("gen"); }
  static std::string generated_db() { return dir->file("generated.sqlite3"); }
  static std::string imported_db() { return dir->file("imported.sqlite3"); }
  static inline TempDir* dir = nullptr;
};

}  // namespace

// Tables of kinds that only a composed object prints (the dashboard's notices
// and road closures): no route lists them, so no page carries them back.
bool only_composed(const std::string& table) {
  const auto& registry = ll2::model::registry();
  const ll2::model::Kind* kind = registry.find_kind(table);
  if (kind == nullptr) return false;
  bool printed = false;
  for (const auto& r : registry.resources()) {
    if (r->kind == kind) return false;
    const ll2::model::Mode* m = r->compose.empty() ? nullptr : r->mode(r->detail_mode);
    for (const auto& f : m != nullptr ? m->resolved->fields : std::vector<ll2::model::ViewField>{})
      printed = printed || (f.view != nullptr && f.view->kind == kind);
  }
  return printed;
}

TEST_F(GeneratedWorld, ImportGivesBackTheGeneratorsDatabase) {
  LL2D_SQLITE_ONLY();
  const auto generated = table_rows(generated_db());
  const auto imported = table_rows(imported_db());
  ASSERT_FALSE(generated.empty());
  size_t objects = 0;
  for (const auto& [table, rows] : generated) {
    if (only_composed(table)) continue;
    const auto it = imported.find(table);
    ASSERT_NE(it, imported.end()) << table;
    objects += rows.size();
    if (rows == it->second) continue;
    std::vector<std::string> only_generated;
    std::vector<std::string> only_imported;
    std::set_difference(rows.begin(), rows.end(), it->second.begin(), it->second.end(),
                        std::back_inserter(only_generated));
    std::set_difference(it->second.begin(), it->second.end(), rows.begin(), rows.end(),
                        std::back_inserter(only_imported));
    ADD_FAILURE() << table << ": " << rows.size() << " rows generated, " << it->second.size()
                  << " imported; e.g. generated "
                  << (only_generated.empty() ? "-" : only_generated.front()) << " imported "
                  << (only_imported.empty() ? "-" : only_imported.front());
  }
  EXPECT_EQ(generated.size(), imported.size());
  EXPECT_GT(objects, 2000U);
}

TEST_F(GeneratedWorld, EveryRouteAnswersAlikeInEveryModeFromEitherDatabase) {
  Server generated(generated_db(), {"--public-url", kBase, "--no-access-log"});
  Server imported(imported_db(), {"--public-url", kBase, "--no-access-log"});
  int compared = 0;
  for (const auto& route : every_route()) {
    const auto& r = *route.resource;
    for (const auto& mode : mode_queries(r)) {
      const std::string list = "/2.3.0/" + route.path + "/?" + mode + "limit=100";
      const auto a = generated.get(list);
      const auto b = imported.get(list);
      ASSERT_EQ(a.status, 200) << list << " " << a.body.substr(0, 300);
      ASSERT_EQ(b.status, 200) << list << " " << b.body.substr(0, 300);
      EXPECT_EQ(a.body, b.body) << list;
      ++compared;
      rapidjson::Document d;
      d.Parse(a.body.c_str());
      ASSERT_FALSE(d.HasParseError()) << list;
      if (!r.paginated) continue;  // the dashboard: one object without an id
      const auto& results = d["results"];
      // Every endpoint's own list has objects (actions may have none).
      if (route.path == r.path) {
        EXPECT_GT(results.Size(), 0U) << list;
      }
      std::vector<std::string> ids;
      const rapidjson::SizeType n = results.Size();
      for (const rapidjson::SizeType k : {rapidjson::SizeType{0}, n / 2, n - 1}) {
        if (k < n) ids.push_back(id_text(results[k]["id"]));
      }
      for (const auto& id : ids) {
        for (const auto& detail_mode : mode_queries(r)) {
          const std::string detail = "/2.3.0/" + route.path + "/" + id + "/?" + detail_mode;
          const auto x = generated.get(detail);
          const auto y = imported.get(detail);
          EXPECT_EQ(x.status, 200) << detail;
          EXPECT_EQ(y.status, 200) << detail;
          EXPECT_EQ(x.body, y.body) << detail;
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 400);
}

TEST_F(GeneratedWorld, PagesAreWhatTheImportedDatabaseServes) {
  Server imported(imported_db(), {"--public-url", kBase, "--no-access-log"});
  int pages = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out())) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.starts_with("page_")) continue;
    const std::string route =
        std::filesystem::relative(entry.path().parent_path(), out()).generic_string();
    const auto* r = ll2::model::registry().find_resource(route == "." ? "docking_events" : route);
    ASSERT_NE(r, nullptr) << entry.path();
    const int number = std::stoi(name.substr(5, 4));
    std::string target = "/2.3.0/" + r->path + "/?format=json&limit=100";
    if (r->mode_parameter)
      target += "&mode=" + std::string(r->mode("detailed") ? "detailed" : r->detail_mode);
    target += "&offset=" + std::to_string((number - 1) * 100);
    const auto served = imported.get(target);
    EXPECT_EQ(served.status, 200) << target;
    EXPECT_EQ(served.body, read_file(entry.path().string())) << entry.path();
    ++pages;
  }
  EXPECT_GT(pages, 50);
  // The dashboard is composed when it is asked for, so no pages are written for it.
  EXPECT_FALSE(std::filesystem::exists(out() + "/dashboard"));
}

TEST_F(GeneratedWorld, TheStarshipDashboardIsComposedFromTheWorld) {
  // At the generator's own "now" the world's Starship flights have a past
  // and a future.
  Server imported(imported_db(),
                  {"--public-url", kBase, "--no-access-log", "--now", "2025-06-01T00:00:00Z"});
  const auto got = imported.get("/2.3.0/dashboard/starship/?mode=list");
  ASSERT_EQ(got.status, 200) << got.body.substr(0, 300);
  rapidjson::Document d;
  d.Parse(got.body.c_str());
  ASSERT_TRUE(!d.HasParseError() && d.IsObject()) << got.body.substr(0, 300);
  const auto& x = d;
  // Everything the world has a source for; notices and road closures come
  // only with LL2's own dashboard, which a generated world does not have.
  for (const char* part : {"updates", "live_streams", "vehicles", "orbiters"})
    EXPECT_GT(x[part].Size(), 0U) << part;
  for (const char* half : {"upcoming", "previous"}) {
    EXPECT_GT(x[half]["launches"].Size(), 0U) << half;
    EXPECT_GT(x[half]["events"].Size(), 0U) << half;
  }
  EXPECT_EQ(x["notices"].Size(), 0U);
  EXPECT_EQ(x["road_closures"].Size(), 0U);
  // The launches are the Starship program's, as its own routes list them.
  const auto program = imported.get("/2.3.0/programs/?limit=100&mode=list");
  rapidjson::Document programs;
  programs.Parse(program.body.c_str());
  std::string starship;
  for (const auto& p : programs["results"].GetArray()) {
    if (std::string(p["name"].GetString()) == "Starship") starship = id_text(p["id"]);
  }
  ASSERT_FALSE(starship.empty()) << program.body.substr(0, 300);
  const auto same = [&](const char* half, const std::string& route) {
    const auto page =
        imported.get("/2.3.0/launches/" + route + "&program=" + starship + "&limit=10&mode=list");
    rapidjson::Document l;
    l.Parse(page.body.c_str());
    ASSERT_TRUE(l.IsObject() && l.HasMember("results")) << page.body.substr(0, 300);
    std::vector<std::string> expected;
    std::vector<std::string> actual;
    for (const auto& o : l["results"].GetArray()) expected.push_back(id_text(o["id"]));
    for (const auto& o : x[half]["launches"].GetArray()) actual.push_back(id_text(o["id"]));
    EXPECT_EQ(actual, expected) << half;
  };
  same("upcoming", "upcoming/?hide_recent_previous=true");
  same("previous", "previous/?net__lt=2025-06-01T00:00:00Z");
}

TEST_F(GeneratedWorld, EveryObjectAPageMentionsIsFetchableInEveryMode) {
  std::set<std::string> mentioned;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out())) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    rapidjson::Document d;
    const std::string text = read_file(entry.path().string());
    d.Parse(text.c_str());
    ASSERT_FALSE(d.HasParseError()) << entry.path();
    urls(d, mentioned);
  }
  std::set<std::string> kinds;
  Server imported(imported_db(), {"--public-url", kBase, "--no-access-log"});
  for (const auto& url : mentioned) {
    const auto* r = ll2::model::registry().find_resource_by_url(url);
    ASSERT_NE(r, nullptr) << url;
    kinds.insert(r->path);
    std::string path = url.substr(std::string(kBase).size());
    path = path.substr(0, path.find('?'));
    for (const auto& mode : mode_queries(*r)) {
      const auto got = imported.get(path + "?" + mode);
      EXPECT_EQ(got.status, 200) << path << "?" << mode;
    }
  }
  // Objects of every kind that prints a url are mentioned somewhere.
  EXPECT_GE(kinds.size(), 17U);
  EXPECT_GT(mentioned.size(), 600U);
}

// The 2.4.0 list a page of resource `r` is written from: its detailed list
// where it has one, else its list.
std::string two_four_zero_list(const ll2::model::Registry& v, const ll2::model::Resource& r) {
  std::string out = r.path;
  for (const auto& route : v.routes()) {
    if (route.resource == &r && route.mode != nullptr && route.mode->name == "detailed")
      out = route.path;
  }
  return out;
}

// `generate --api-version 2.4.0` writes the same world as 2.4.0 prints it,
// every list through its own 2.4.0 route; those pages, imported alone into
// a new database, serve the same 2.4.0 answers: its computed keys are
// skipped and its hyperlinks read as ids. One thing is lost: 2.4.0 prints
// whether a station is deorbited, not the date ll2d stores, so a database
// filled from 2.4.0 alone has no date and says false.
TEST_F(GeneratedWorld, TwoFourZeroPagesImportedAloneServeTheSameAnswers) {
  LL2D_SQLITE_ONLY();
  const auto* v = ll2::model::catalog().find("2.4.0");
  ASSERT_NE(v, nullptr);
  const std::string pages_dir = dir->file("gen-2.4.0");
  const auto g = run_ll2d({"generate", "--api-version", "2.4.0", "--events", "200", "--seed", "9",
                           "--out", pages_dir, "--quiet"},
                          300);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.out.find("API 2.4.0"), std::string::npos) << g.out;
  const std::string db = dir->file("from-2.4.0.sqlite3");
  const auto i = run_ll2d({"import", "--db", db, pages_dir}, 300);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  Server imported(db, {"--public-url", kBase, "--no-access-log"});
  std::set<std::string> written;
  std::set<std::string> expected_routes;
  for (const auto& r : v->resources()) {
    if (r->paginated) expected_routes.insert(r->path);
  }
  size_t pages = 0;
  size_t deorbited = 0;
  std::set<std::string> mentioned;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(pages_dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.starts_with("page_")) continue;
    const std::string route =
        std::filesystem::relative(entry.path().parent_path(), pages_dir).generic_string();
    const auto* r = v->find_resource(route == "." ? "docking_events" : route);
    ASSERT_NE(r, nullptr) << entry.path();
    written.insert(r->path);
    const std::string body = read_file(entry.path().string());
    EXPECT_EQ(body.find("/2.3.0/"), std::string::npos) << entry.path();
    rapidjson::Document d;
    d.Parse(body.c_str());
    ASSERT_FALSE(d.HasParseError()) << entry.path();
    urls(d, mentioned);
    const int number = std::stoi(name.substr(5, 4));
    const std::string target =
        "/api/ll/2.4.0/" + two_four_zero_list(*v, *r) +
        "/?format=json&limit=100&offset=" + std::to_string((number - 1) * 100);
    std::string expected = body;
    for (size_t at = expected.find("\"deorbited\":true"); at != std::string::npos;
         at = expected.find("\"deorbited\":true", at)) {
      expected.replace(at, 16, "\"deorbited\":false");
      ++deorbited;
    }
    const auto served = imported.get(target);
    EXPECT_EQ(served.status, 200) << target;
    EXPECT_EQ(served.body, expected) << target;
    ++pages;
  }
  // Every list of 2.4.0, rockets and stages (new in 2.4.0) among them.
  EXPECT_EQ(written, expected_routes);
  EXPECT_TRUE(written.contains("rockets") && written.contains("stages"));
  EXPECT_GT(pages, expected_routes.size());
  EXPECT_GT(mentioned.size(), 600U);
  for (const auto& url : mentioned)
    EXPECT_TRUE(url.starts_with(std::string(kBase) + "/api/ll/2.4.0/")) << url;
  EXPECT_GT(deorbited, 0U) << "no deorbited station: the loss above is not exercised";
}

TEST(GenerateApiVersion, AnUnknownVersionIsAUsageErrorNamingTheKnownOnes) {
  TempDir dir;
  const auto bad = run_ll2d(
      {"generate", "--events", "10", "--out", dir.file("x"), "--api-version", "2.2.0", "--quiet"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--api-version 2.2.0"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("2.3.0 and 2.4.0"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x")));
}

TEST(GenerateApiVersion, OnlyNamesRoutesOfTheChosenVersion) {
  TempDir dir;
  const auto rockets = run_ll2d({"generate", "--events", "10", "--out", dir.file("a"),
                                 "--api-version", "2.4.0", "--only", "rockets", "--quiet"});
  ASSERT_EQ(rockets.exit_code, 0) << rockets.err;
  EXPECT_NE(read_file(dir.file("a/rockets/page_0001.json")).find("/api/ll/2.4.0/rockets/"),
            std::string::npos);
  // Notice types are not in 2.4.0, rockets not in 2.3.0.
  const auto notices =
      run_ll2d({"generate", "--events", "10", "--out", dir.file("b"), "--api-version", "2.4.0",
                "--only", "config/notice_types", "--quiet"});
  EXPECT_EQ(notices.exit_code, 1);
  EXPECT_NE(notices.err.find("--only config/notice_types: not a paginated route of LL2 2.4.0"),
            std::string::npos)
      << notices.err;
  const auto old = run_ll2d(
      {"generate", "--events", "10", "--out", dir.file("c"), "--only", "rockets", "--quiet"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.err.find("LL2 2.3.0"), std::string::npos) << old.err;
}
