// Rendered objects shared by the database threads (api/fragment_cache.hpp):
// kept while nothing their view reads changes, whichever thread, route or
// page asks for them.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "api/engine.hpp"
#include "api/fragment_cache.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"

using namespace ll2;  // NOLINT(google-build-using-namespace)

namespace {

api::Reads reads(std::vector<std::string> names) {
  return std::make_shared<const std::vector<std::string>>(std::move(names));
}
api::FragmentCache::Json rendered(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

TEST(FragmentCache, AFragmentHoldsUntilAKindItReadsChanges) {
  api::FragmentCache cache;
  int asked = 0;
  api::KindGenerations kinds = {{"launch", 3}, {"agency", 7}};
  const auto at = [&](uint64_t generation) {
    return cache.find("k", generation, [&]() -> const api::KindGenerations& {
      ++asked;
      return kinds;
    });
  };
  EXPECT_EQ(at(5), nullptr);
  cache.insert("k", rendered("{\"id\":1}"), 5, reads({"launch", "agency"}));
  ASSERT_NE(at(5), nullptr);
  EXPECT_EQ(asked, 0);  // the same generation: no kinds read
  // Rendered after generation 4: what happened in between is unknown.
  EXPECT_EQ(at(4), nullptr);
  // Generation 6 changed launches before 5 only: still good, now known at 6.
  kinds = {{"launch", 3}, {"astronaut", 6}};
  ASSERT_NE(at(6), nullptr);
  EXPECT_EQ(asked, 1);
  ASSERT_NE(at(6), nullptr);
  EXPECT_EQ(asked, 1);
  // Generation 8 changed agencies, which it reads.
  kinds = {{"launch", 3}, {"agency", 8}};
  EXPECT_EQ(at(8), nullptr);
  // An older rendering never replaces a newer one.
  cache.insert("k", rendered("new"), 9, reads({"launch"}));
  cache.insert("k", rendered("old"), 8, reads({"launch"}));
  EXPECT_EQ(*at(9), "new");
}

TEST(FragmentCache, ItsMemoryIsBoundedLeastRecentlyUsedFirst) {
  api::FragmentCache cache(4096);
  const api::KindGenerations none;
  const auto kinds = [&]() -> const api::KindGenerations& { return none; };
  const std::string body(1000, 'x');
  for (int i = 0; i < 10; ++i) {
    cache.insert(std::to_string(i), rendered(body), 1, reads({}));
    // The first stays in use, so it stays.
    EXPECT_NE(cache.find("0", 1, kinds), nullptr);
  }
  EXPECT_LE(cache.bytes(), 4096U);
  EXPECT_EQ(cache.find("1", 1, kinds), nullptr);
  EXPECT_NE(cache.find("9", 1, kinds), nullptr);
  cache.insert("huge", rendered(std::string(5000, 'y')), 1, reads({}));  // larger than all of it
  EXPECT_EQ(cache.find("huge", 1, kinds), nullptr);
  EXPECT_NE(cache.find("9", 1, kinds), nullptr);
}

namespace {

// Renames agency 17, counted as a write to `kind` alone: views that print
// agencies see it only when `kind` is one they read.
void rename_agency(const std::string& db, const std::string& kind) {
  test::write_as(db, "UPDATE agency SET name = name || ' (renamed)' WHERE id = 17", kind);
}

}  // namespace

// The engine without the response cache: what a second request sees is the
// fragment the first rendered, on another thread and through another route,
// until agencies change.
TEST(FragmentCache, EveryThreadAndRouteSharesAnObjectUntilWhatItPrintsChanges) {
  test::TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  {
    auto opened = store::open_sqlite(db, test::schema());
    ASSERT_TRUE(opened.store);
    const auto& root = *model::registry().find_resource("docking_events")->kind;
    auto r = ingest::import_file(*opened.store, test::catalog(), &root,
                                 LL2D_FIXTURES "/docking_event_609_detailed.json");
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(r));
  }
  api::Engine engine(
      test::catalog(), [&db] { return std::move(store::open_sqlite(db, test::schema()).store); },
      test::without_budget());
  const auto get = [&engine](const std::string& target) {
    api::Response r;
    std::thread([&] { r = engine.handle({"GET", target, "testserver", ""}); }).join();
    EXPECT_EQ(r.status, 200) << target;
    return r.body;
  };
  const auto renamed = [](const std::string& body) {
    return body.find("China National Space Administration (renamed)") != std::string::npos;
  };
  const std::string first = get("/2.3.0/docking_events/609/");
  ASSERT_NE(first.find("China National Space Administration"), std::string::npos);
  // Astronauts: not printed by a detailed docking event.
  rename_agency(db, "astronaut");
  const std::string list = get("/2.3.0/docking_events/?mode=detailed");
  EXPECT_NE(list.find(first), std::string::npos);  // the same bytes, from another thread
  EXPECT_FALSE(renamed(list));
  // Agencies: rendered again, with the name as it is now.
  rename_agency(db, "agency");
  EXPECT_TRUE(renamed(get("/2.3.0/docking_events/609/")));
  // Without the cache every answer is rendered from the rows.
  api::EngineOptions none = test::without_budget();
  none.fragment_cache_bytes = 0;
  api::Engine plain(
      test::catalog(), [&db] { return std::move(store::open_sqlite(db, test::schema()).store); },
      none);
  rename_agency(db, "astronaut");
  EXPECT_NE(plain.handle({"GET", "/2.3.0/docking_events/609/", "testserver", ""})
                .body.find("(renamed) (renamed) (renamed)"),
            std::string::npos);
}
