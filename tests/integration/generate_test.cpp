// `ll2d generate`: deterministic, LL2-shaped, with realistic cardinalities
// (generate_world_test.cpp checks the world is whole and imports back).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <variant>

#include "catalog/catalog.hpp"
#include "harness.hpp"
#include "ingest/generator.hpp"

using namespace ll2::test;

namespace {

// Collects the ids of every object that has a `url`, by endpoint segment.
void collect(const rapidjson::Value& v, std::map<std::string, std::set<std::string>>& seen) {
  if (v.IsObject()) {
    // (A social media link's url is not an LL2 one.)
    if (v.HasMember("url") && v["url"].IsString() && v.HasMember("id") &&
        std::string_view(v["url"].GetString()).find("/2.3.0/") != std::string_view::npos) {
      std::string url = v["url"].GetString();
      const size_t start = url.find("/2.3.0/") + 7;
      const std::string segment = url.substr(start, url.find('/', start) - start);
      seen[segment].insert(v["id"].IsString() ? v["id"].GetString()
                                              : std::to_string(v["id"].GetInt64()));
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) collect(it->value, seen);
  } else if (v.IsArray()) {
    for (const auto& x : v.GetArray()) collect(x, seen);
  }
}

}  // namespace

TEST(Generate, SameSeedSameBytesAndSaysSynthetic) {
  TempDir dir;
  const auto a = run_ll2d({"generate", "--events", "250", "--seed", "3", "--out", dir.file("a")});
  const auto b = run_ll2d({"generate", "--events", "250", "--seed", "3", "--out", dir.file("b")});
  const auto c = run_ll2d({"generate", "--events", "250", "--seed", "4", "--out", dir.file("c")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.out.find("SYNTHETIC"), std::string::npos);
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.file("a"))) {
    if (!entry.is_regular_file()) continue;
    const auto relative = std::filesystem::relative(entry.path(), dir.file("a")).string();
    EXPECT_EQ(read_file(entry.path().string()), read_file(dir.file("b/" + relative))) << relative;
    ++files;
  }
  EXPECT_GT(files, 55);
  for (const char* page : {"page_0001.json", "page_0002.json", "page_0003.json",
                           "launches/page_0001.json", "config/orbits/page_0001.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file(std::string("a/") + page))) << page;
  }
  EXPECT_NE(read_file(dir.file("a/page_0001.json")), read_file(dir.file("c/page_0001.json")));
  EXPECT_NE(read_file(dir.file("a/launches/page_0001.json")),
            read_file(dir.file("c/launches/page_0001.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("a/page_0004.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("a/.ll2d-generate.sqlite3")));
}

// What bounds memory (objects per write, ids read ahead per route) and the
// rendering threads change nothing in the output: tiny batches, a window
// that pages straddle and three threads give the CLI's bytes.
TEST(Generate, BatchesWindowsAndThreadsDoNotChangeTheBytes) {
  TempDir dir;
  const auto cli =
      run_ll2d({"generate", "--events", "250", "--seed", "5", "--out", dir.file("a"), "--quiet"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  ll2::ingest::GenerateOptions small;
  small.events = 250;
  small.seed = 5;
  small.out_dir = dir.file("b");
  small.batch_objects = 7;
  small.id_window = 150;
  small.threads = 3;
  const auto done = ll2::ingest::generate(ll2::model::catalog(), small);
  ASSERT_TRUE(std::holds_alternative<ll2::ingest::GenerateStats>(done))
      << std::get<std::string>(done);
  std::set<std::string> a;
  std::set<std::string> b;
  for (const auto& [root, names] : {std::pair{dir.file("a"), &a}, std::pair{dir.file("b"), &b}}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file())
        names->insert(std::filesystem::relative(entry.path(), root).string());
    }
  }
  EXPECT_EQ(a, b);
  EXPECT_GT(a.size(), 55U);
  for (const auto& name : a)
    EXPECT_EQ(read_file(dir.file("a/" + name)), read_file(dir.file("b/" + name))) << name;
  // Routes of several pages, so windows were refilled and threads shared them.
  EXPECT_TRUE(std::filesystem::exists(dir.file("b/page_0003.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("b/launches/page_0002.json")));
}

TEST(Generate, OnlyWritesTheNamedRoutesOfTheSameWorld) {
  TempDir dir;
  const auto all =
      run_ll2d({"generate", "--events", "120", "--seed", "8", "--out", dir.file("all")});
  const auto some = run_ll2d({"generate", "--events", "120", "--seed", "8", "--out",
                              dir.file("some"), "--only", "docking_events,config/orbits"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(some.exit_code, 0) << some.err;
  EXPECT_EQ(read_file(dir.file("all/page_0001.json")), read_file(dir.file("some/page_0001.json")));
  EXPECT_EQ(read_file(dir.file("all/config/orbits/page_0001.json")),
            read_file(dir.file("some/config/orbits/page_0001.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("some/launches")));
  const auto bad = run_ll2d(
      {"generate", "--events", "10", "--out", dir.file("bad"), "--only", "dashboard/starship"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--only dashboard/starship"), std::string::npos) << bad.err;
}

TEST(Generate, KeepsItsDatabaseOnlyWhenAskedAndNeverOverwritesOne) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  const auto r = run_ll2d({"generate", "--events", "50", "--out", dir.file("g"), "--db",
                           dir.file("world.sqlite3"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("world.sqlite3")));
  const auto again = run_ll2d(
      {"generate", "--events", "50", "--out", dir.file("g"), "--db", dir.file("world.sqlite3")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST(Generate, TenThousandEventsHaveLl2Cardinalities) {
  TempDir dir;
  const auto r = run_ll2d({"generate", "--events", "10000", "--seed", "1", "--out", dir.path(),
                           "--only", "docking_events", "--quiet"},
                          300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::set<std::string>> seen;
  std::set<int64_t> docking_locations;
  int events = 0;
  int null_departures = 0;
  int station_targets = 0;
  int flight_targets = 0;
  int payload_targets = 0;
  int departure_before_docking = 0;
  bool non_ascii = false;
  for (int page = 1; page <= 100; ++page) {
    char name[32];
    std::snprintf(name, sizeof name, "/page_%04d.json", page);
    const std::string text = read_file(dir.path() + name);
    rapidjson::Document d;
    d.Parse(text.c_str());
    ASSERT_FALSE(d.HasParseError()) << name;
    collect(d, seen);
    for (const auto& e : d["results"].GetArray()) {
      ++events;
      null_departures += static_cast<int>(e["departure"].IsNull());
      station_targets += static_cast<int>(!e["space_station_target"].IsNull());
      flight_targets += static_cast<int>(!e["flight_vehicle_target"].IsNull());
      payload_targets += static_cast<int>(!e["payload_flight_target"].IsNull());
      docking_locations.insert(e["docking_location"]["id"].GetInt64());
      // ISO 8601 UTC strings of one length order as their instants.
      departure_before_docking +=
          static_cast<int>(!e["departure"].IsNull() && std::string(e["departure"].GetString()) <
                                                           std::string(e["docking"].GetString()));
    }
    non_ascii = non_ascii || text.find("\xD0\x96") != std::string::npos;  // Ж
  }
  EXPECT_EQ(events, 10000);
  EXPECT_EQ(departure_before_docking, 0);
  EXPECT_GE(docking_locations.size(), 110U);
  EXPECT_LE(docking_locations.size(), 150U);
  // How many distinct objects of each kind the pages hold, at least and at
  // most; stations: those in orbit when something docked (not the planned ones).
  const std::map<std::string, std::pair<size_t, size_t>> distinct{
      {"space_stations", {15, 20}},
      {"spacecraft_flights", {2500, 3000}},
      {"payload_flights", {1500, 2500}},
      {"launches", {3000, 7500}},
      {"agencies", {300, 350}},
      {"pads", {200, 250}},
      {"locations", {60, 70}}};
  for (const auto& [route, range] : distinct) {
    EXPECT_GE(seen[route].size(), range.first) << route;
    EXPECT_LE(seen[route].size(), range.second) << route;
  }
  EXPECT_GT(null_departures, 300);
  EXPECT_LT(null_departures, 800);
  EXPECT_GT(station_targets, 8000);
  EXPECT_GT(flight_targets, 500);
  EXPECT_GT(payload_targets, 400);
  EXPECT_TRUE(non_ascii);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/launches"));
}
