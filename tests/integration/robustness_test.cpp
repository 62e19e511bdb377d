// Requests that once crashed or corrupted the server: caches evicted while a
// page is rendered, and statements that fail to prepare. Run in the ASan
// build (scripts/test.sh), where any use-after-free aborts the server.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

using namespace ll2::test;

namespace {

class SmallCacheServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto gen =
        run_ll2d({"generate", "--events", "150", "--seed", "11", "--out", dir->file("pages")}, 300);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    const auto imp = run_ll2d({"import", "--db", dir->file("db.sqlite3"), dir->file("pages")}, 300);
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    // A bound far below one detailed page's objects: every page evicts the
    // rows its own parents are still being rendered from.
    small = new Server(dir->file("db.sqlite3"),
                       {"--threads", "1", "--row-cache-entries", "16", "--no-access-log"});
    roomy = new Server(dir->file("db.sqlite3"), {"--threads", "1", "--no-access-log"});
  }
  static void TearDownTestSuite() {
    delete small;
    delete roomy;
    delete dir;
  }
  static TempDir* dir;
  static Server* small;
  static Server* roomy;
};
TempDir* SmallCacheServer::dir = nullptr;
Server* SmallCacheServer::small = nullptr;
Server* SmallCacheServer::roomy = nullptr;

// Both servers use the same Host, so their bodies must be equal byte for byte.
HttpResponse get(const Server& s, const std::string& target) {
  return s.get(target, {{"Host", "ll2d.test"}});
}

}  // namespace

TEST_F(SmallCacheServer, EvictionDuringRenderingChangesNothing) {
  std::vector<std::string> targets;
  for (int offset = 0; offset < 150; offset += 50)
    targets.push_back("/2.3.0/docking_events/?mode=detailed&limit=50&offset=" +
                      std::to_string(offset));
  for (int id = 1; id <= 150; id += 7)
    targets.push_back("/2.3.0/docking_events/" + std::to_string(id) + "/");
  for (int round = 0; round < 2; ++round) {
    for (const auto& t : targets) {
      const auto a = get(*small, t);
      const auto b = get(*roomy, t);
      ASSERT_EQ(a.status, b.status) << t;
      ASSERT_EQ(a.body, b.body) << t;
    }
  }
  EXPECT_EQ(get(*small, targets.front()).status, 200);
}

TEST_F(SmallCacheServer, ThousandSearchTermsAreA400EveryTime) {
  std::string terms = "a";
  for (int i = 0; i < 999; ++i) terms += "+t" + std::to_string(i);
  // One worker thread: the second request reuses the first one's connection
  // and statement cache, which once held a statement that failed to prepare.
  for (int i = 0; i < 3; ++i) {
    const auto r = get(*small, "/2.3.0/docking_events/?search=" + terms);
    ASSERT_EQ(r.status, 400);
    EXPECT_EQ(r.body,
              R"({"search":["Ensure this value has at most 20 search terms (it has 1000)."]})");
  }
  EXPECT_EQ(get(*small, "/2.3.0/docking_events/?limit=1").status, 200);
}

TEST_F(SmallCacheServer, RepeatedTermsCountOnce) {
  std::string same = "soyuz";
  for (int i = 0; i < 999; ++i) same += "+SOYUZ";
  const auto many = get(*small, "/2.3.0/docking_events/?search=" + same);
  const auto one = get(*small, "/2.3.0/docking_events/?search=soyuz");
  ASSERT_EQ(many.status, 200);
  // Only the echoed query string in the links may differ.
  EXPECT_EQ(many.body.substr(0, many.body.find(',')), one.body.substr(0, one.body.find(',')));
}

TEST_F(SmallCacheServer, LongOrderingsSortAsTheirFirstTerms) {
  std::string ordering = "-departure";
  for (int i = 0; i < 1200; ++i) ordering += i % 2 ? ",docking" : ",-departure";
  for (int i = 0; i < 3; ++i) {
    const auto many = get(*small, "/2.3.0/docking_events/?limit=100&ordering=" + ordering);
    const auto two = get(*small, "/2.3.0/docking_events/?limit=100&ordering=-departure,docking");
    ASSERT_EQ(many.status, 200);
    const auto results = [](const std::string& body) {
      return body.substr(body.find("\"results\""));
    };
    EXPECT_EQ(results(many.body), results(two.body));
  }
}

TEST(ReadSnapshots, NoResponseMixesBeforeAndAfterAnImport) {
  TempDir dir;
  const auto gen =
      run_ll2d({"generate", "--events", "100", "--seed", "5", "--out", dir.file("pages")}, 300);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string original = read_file(dir.file("pages/page_0001.json"));
  // The same page with every docking location renamed: one import renames
  // them all in one transaction.
  const std::regex location(R"(("docking_location":\{"id":\d+,"name":"))");
  const std::string renamed = std::regex_replace(original, location, "$1R ");
  ASSERT_NE(renamed, original);
  std::ofstream(dir.file("a.json")) << original;
  std::ofstream(dir.file("b.json")) << renamed;
  const std::string db = dir.file("db.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("a.json")}).exit_code, 0);
  // A small row cache and a new Host per request: every response is rendered
  // from rows read while the imports commit, not from rendered fragments.
  Server server(db, {"--no-access-log", "--row-cache-entries", "16"});

  std::atomic<bool> done{false};
  std::thread importer([&] {
    for (int i = 0; i < 10; ++i)
      EXPECT_EQ(
          run_ll2d({"import", "--db", db, dir.file(i % 2 == 0 ? "b.json" : "a.json")}).exit_code,
          0);
    done = true;
  });
  const std::regex name(R"re("docking_location":\{"id":\d+,"name":"(R )?)re");
  int responses = 0;
  int mixed = 0;
  int busy = 0;
  while (!done || responses < 20) {
    const auto r = server.get("/2.3.0/docking_events/?limit=100",
                              {{"Host", "h" + std::to_string(responses) + ".test"}});
    // (A machine too busy for the query's time budget answers 503: no mix.)
    if (r.status == 503 && ++busy < 1000) continue;
    if (r.status != 200) {
      ADD_FAILURE() << "status " << r.status << ": " << r.body.substr(0, 300);
      break;
    }
    int with = 0;
    int without = 0;
    for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), name);
         it != std::sregex_iterator(); ++it) {
      ((*it)[1].matched ? with : without)++;
    }
    EXPECT_EQ(with + without, 100);
    if (with != 0 && without != 0) ++mixed;
    ++responses;
  }
  importer.join();
  EXPECT_EQ(mixed, 0) << "of " << responses << " responses";
}
