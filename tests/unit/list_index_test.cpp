// The list indexes (api/list_index.hpp) answer exactly what the store's SQL
// answers: the same ids in the same order, the same counts, for every
// paginated route, search, ordering and offset; and never from an index of
// another generation.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <string>
#include <vector>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/generator.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"

using namespace ll2;  // NOLINT(google-build-using-namespace)

namespace {

class ListIndex : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    ingest::GenerateOptions g;
    g.events = 200;
    g.seed = 11;
    g.out_dir = dir->file("gen");
    g.db_path = dir->file("db.sqlite3");  // the generator's world is the database
    ASSERT_TRUE(
        std::holds_alternative<ingest::GenerateStats>(ingest::generate(test::catalog(), g)));
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static api::Engine::StoreOpener opener() {
    return
        [] { return std::move(store::open_sqlite(dir->file("db.sqlite3"), test::schema()).store); };
  }
  static api::EngineOptions options(size_t index_bytes) {
    api::EngineOptions o = test::without_budget();
    o.list_index_bytes = index_bytes;
    return o;
  }
  static std::string body(const api::Engine& engine, const std::string& target) {
    const auto r = engine.handle({"GET", target, "testserver", "application/json"});
    EXPECT_EQ(r.status, 200) << target << ": " << r.body.substr(0, 300);
    return r.body;
  }

  static test::TempDir* dir;
};
test::TempDir* ListIndex::dir = nullptr;

// Lists of every paginated route an index can answer: plain, deep, searched
// (common, rare, absent and literal-wildcard terms, two terms) and ordered.
std::vector<std::string> targets() {
  std::vector<std::string> out;
  for (const auto& r : model::registry().resources()) {
    if (!r->paginated) continue;
    const std::string base = "/2.3.0/" + r->path + "/?format=json";
    out.push_back(base);
    out.push_back(base + "&limit=7&offset=13");
    out.push_back(base + "&offset=195");
    std::vector<std::string> searches;
    if (!r->search_fields.empty()) {
      searches = {"a", "e%20o", "zzqx", "%25", "_", "1", "s%C3%A3o", "ALPHA%20a"};
      for (const auto& s : searches) out.push_back(base + "&search=" + s);
      out.push_back(base + "&search=a&limit=5&offset=9");
    }
    for (const auto& f : r->ordering_fields) {
      out.push_back(base + "&ordering=" + f);
      out.push_back(base + "&ordering=-" + f + "&offset=3");
      if (!searches.empty()) out.push_back(base + "&ordering=-" + f + "&search=e");
    }
  }
  return out;
}

TEST_F(ListIndex, AnswersExactlyWhatTheStoreAnswers) {
  const api::Engine plain(test::catalog(), opener(), options(0));
  const api::Engine indexed(test::catalog(), opener(), options(size_t{64} << 20));
  const auto urls = targets();
  ASSERT_GT(urls.size(), 300U);
  for (const auto& u : urls) body(indexed, u);  // queues a build for each shape
  indexed.wait_for_list_indexes();
  const uint64_t before = indexed.list_index_answers();
  for (const auto& u : urls) EXPECT_EQ(body(indexed, u), body(plain, u)) << u;
  // Every one of them came from an index (none has a filter), so the
  // comparison above compared the two paths.
  EXPECT_EQ(indexed.list_index_answers() - before, urls.size());
  EXPECT_EQ(plain.list_index_answers(), 0U);
}

TEST_F(ListIndex, AnIndexOfAnotherGenerationIsNeverUsed) {
  const api::Engine indexed(test::catalog(), opener(), options(size_t{64} << 20));
  const std::string url = "/2.3.0/docking_events/?format=json&limit=1&search=a";
  const auto count = [&] {
    const std::string b = body(indexed, url);
    return std::stoll(b.substr(b.find(':') + 1));
  };
  const auto before = count();
  indexed.wait_for_list_indexes();
  ASSERT_EQ(count(), before);
  const uint64_t answers = indexed.list_index_answers();
  ASSERT_GT(answers, 0U);
  // A new docking event whose names contain an A (the golden record: Soyuz,
  // ISS): the next request reads the new generation from the store.
  {
    auto opened = store::open_sqlite(dir->file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(
        ingest::import_file(*opened.store, test::catalog(), nullptr,
                            LL2D_FIXTURES "/docking_event_609_detailed.json")));
  }
  EXPECT_EQ(count(), before + 1);
  EXPECT_EQ(indexed.list_index_answers(), answers);
  // Then from an index of the new generation.
  indexed.wait_for_list_indexes();
  EXPECT_EQ(count(), before + 1);
  EXPECT_EQ(indexed.list_index_answers(), answers + 1);
}

// Writes of kinds an index does not read leave it in use; a write of one
// it reads (a station's name, which docking events are searched by) does not.
TEST_F(ListIndex, OnlyAWriteOfAKindItReadsRetiresAnIndex) {
  const api::Engine indexed(test::catalog(), opener(), options(size_t{64} << 20));
  const std::string url = "/2.3.0/docking_events/?format=json&search=zzqqxx";
  body(indexed, url);
  indexed.wait_for_list_indexes();
  const auto write_name = [&](const char* kind, int64_t id, const char* name) {
    auto opened = store::open_sqlite(dir->file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    const model::Kind* k = model::registry().find_kind(kind);
    ASSERT_NE(k, nullptr);
    store::WriteBatch batch;
    batch.objects.push_back({k, Value(id), {{k->field("name"), Value(std::string(name))}}});
    ASSERT_FALSE(opened.store->write(batch));
  };
  uint64_t answers = indexed.list_index_answers();
  write_name("agency", 990001, "Zzqqxx Agency");  // not on any docking event search path
  EXPECT_NE(body(indexed, url).find("\"count\":0,"), std::string::npos);
  EXPECT_EQ(indexed.list_index_answers(), answers + 1) << "an agency retired the index";
  answers = indexed.list_index_answers();
  // A station's new name: the events docked at it now match, read from the
  // store until the index is built again.
  rapidjson::Document events;
  events.Parse(body(indexed, "/2.3.0/docking_events/?format=json&limit=100").c_str());
  int64_t station = -1;
  for (const auto& e : events["results"].GetArray()) {
    if (e["space_station_target"].IsObject()) {
      station = e["space_station_target"]["id"].GetInt64();
      break;
    }
  }
  ASSERT_GE(station, 0);
  write_name("space_station", station, "Zzqqxx Station");
  const std::string after = body(indexed, url);
  EXPECT_EQ(after.find("\"count\":0,"), std::string::npos) << after.substr(0, 200);
  EXPECT_EQ(indexed.list_index_answers(), answers);
  indexed.wait_for_list_indexes();
  EXPECT_EQ(body(indexed, url), after);
  EXPECT_EQ(indexed.list_index_answers(), answers + 1);
}

}  // namespace

// DRF's search is one filter() of all terms, so through a many-valued
// relation every term must hold in the same joined row: launch One flies
// "Qzcrew Alpha" and "Qzdragon Beta", launch Two one "Qzcrew Qzdragon".
// The store's SQL and an index answer the same, and as Django does.
TEST(ListIndexSearch, TermsHoldInOneRowOfAManyValuedRelation) {
  test::TempDir dir;
  {
    auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(ingest::import_file(
        *opened.store, test::catalog(), model::registry().find_resource("launches")->kind,
        LL2D_FIXTURES "/launches_two_spacecraft_flights.json")));
  }
  const auto opener = [&] {
    return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store);
  };
  api::EngineOptions plain_options;
  plain_options.list_index_bytes = 0;
  api::EngineOptions indexed_options;
  indexed_options.list_index_bytes = size_t{16} << 20;
  const api::Engine plain(test::catalog(), opener, plain_options);
  const api::Engine indexed(test::catalog(), opener, indexed_options);
  const auto names = [](const api::Engine& engine, const std::string& search) {
    const auto r = engine.handle(
        {"GET", "/2.3.0/launches/?format=json&mode=list&search=" + search, "testserver", ""});
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    std::string out;
    for (const auto& launch : d["results"].GetArray())
      out += std::string(out.empty() ? "" : ",") + launch["name"].GetString();
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Qzcrew,Qzdragon", "Qzlaunch Two"},
      {"Qzcrew", "Qzlaunch One,Qzlaunch Two"},
      {"Qzcrew,Alpha", "Qzlaunch One"},
      {"Alpha+Beta", ""},
      {"One,Qzdragon", "Qzlaunch One"},  // the launch's own name, and one flight
      {"Two,Alpha", ""},
      {"%22Qzcrew%20Alpha%22", "Qzlaunch One"},
      {"%22Alpha%20Qzcrew%22", ""},
      {"%22%22+Beta", "Qzlaunch One"},  // the empty term, and Beta
      {"%22%22,Beta", ""},  // one token: the term is `"",Beta` split on commas, `""` literally
  };
  for (const auto& [search, expected] : cases) names(indexed, search);  // queues the builds
  indexed.wait_for_list_indexes();
  const uint64_t before = indexed.list_index_answers();
  for (const auto& [search, expected] : cases) {
    EXPECT_EQ(names(plain, search), expected) << search;
    EXPECT_EQ(names(indexed, search), expected) << search;
  }
  EXPECT_EQ(indexed.list_index_answers() - before, cases.size());
}
