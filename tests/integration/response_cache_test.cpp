// Whole responses answered on the I/O threads (src/http/response_cache.hpp):
// the same bytes and headers as the database threads render, gzip for the
// clients that ask for it, and nothing kept past a write to what it read.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "harness.hpp"
#include "util/datetime.hpp"

using namespace ll2::test;

namespace {

std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<not gzip>";
}

class ResponseCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    db = dir->file("db.sqlite3");
    ASSERT_EQ(import_golden(db).exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static TempDir* dir;
  static std::string db;
};
TempDir* ResponseCacheTest::dir = nullptr;
std::string ResponseCacheTest::db;

const std::vector<std::string> kTargets = {
    "/2.3.0/docking_events/609/",
    "/2.3.0/docking_events/609/?format=api",
    "/2.3.0/docking_events/?search=soyuz",
    "/2.3.0/docking_events/?mode=detailed&limit=1",
    "/2.3.0/space_stations/?format=json",
    "/2.3.0/docking_events/1/",  // a 404
    "/2.3.0/docking_events/?limit=x",
};

}  // namespace

// A response from the cache (the second request) is what the database
// thread answered (the first), and what a server without the cache answers.
TEST_F(ResponseCacheTest, HitsAreTheBytesAndHeadersOfMisses) {
  // One public URL, so the two servers' bodies name the same host.
  Server cached(db, {"--public-url", "https://ll2d.example"});
  Server uncached(db, {"--public-url", "https://ll2d.example", "--response-cache-memory", "0"});
  const std::vector<std::map<std::string, std::string>> variants = {
      {}, {{"Accept", "text/html"}}, {{"Origin", "https://app.example"}}};
  for (const auto& target : kTargets) {
    for (const auto& headers : variants) {
      auto miss = cached.get(target, headers);
      auto hit = cached.get(target, headers);
      auto plain = uncached.get(target, headers);
      EXPECT_EQ(hit.status, miss.status) << target;
      EXPECT_EQ(hit.body, miss.body) << target;
      EXPECT_EQ(plain.body, miss.body) << target;
      EXPECT_EQ(plain.status, miss.status) << target;
      for (const auto& h : miss.headers) {
        if (h.first == "date" || h.first == "x-request-id") continue;  // per response
        EXPECT_EQ(hit.headers[h.first], h.second) << target << " " << h.first;
        EXPECT_EQ(plain.headers[h.first], h.second) << target << " " << h.first;
      }
      EXPECT_EQ(hit.headers.size(), miss.headers.size()) << target;
    }
  }
}

TEST_F(ResponseCacheTest, GzipWhenTheClientAcceptsIt) {
  Server server(db);
  const std::string target = "/2.3.0/docking_events/609/";
  const auto plain = server.get(target);
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(plain.headers.count("content-encoding"), 0U);
  const std::string etag = plain.headers.at("etag");
  for (int i = 0; i < 2; ++i) {  // rendered, then from the cache
    auto z = server.get(target, {{"Accept-Encoding", "br, gzip;q=0.5, deflate"}});
    ASSERT_EQ(z.status, 200);
    EXPECT_EQ(z.headers["content-encoding"], "gzip");
    EXPECT_LT(z.body.size(), plain.body.size() / 2);
    EXPECT_EQ(gunzip(z.body), plain.body);
    EXPECT_EQ(z.headers["vary"], plain.headers.at("vary") + ", Accept-Encoding");
    EXPECT_EQ(z.headers["etag"], "W/" + etag);  // another representation of the same bytes
    EXPECT_EQ(z.headers["content-length"], std::to_string(z.body.size()));
  }
  // Refused with q=0, or not offered: the bytes as they are.
  for (const std::string ae : {"gzip;q=0", "identity", "deflate, br"}) {
    const auto r = server.get(target, {{"Accept-Encoding", ae}});
    EXPECT_EQ(r.headers.count("content-encoding"), 0U) << ae;
    EXPECT_EQ(r.body, plain.body) << ae;
  }
  // Either tag is the client's copy.
  EXPECT_EQ(
      server.get(target, {{"Accept-Encoding", "gzip"}, {"If-None-Match", "W/" + etag}}).status,
      304);
  EXPECT_EQ(server.get(target, {{"If-None-Match", etag}}).status, 304);
  // A HEAD's browsable page names HEAD; the GET after it names GET.
  const std::string page = "/2.3.0/docking_events/609/?format=api";
  EXPECT_EQ(server.request("HEAD", page).status, 200);
  EXPECT_NE(server.get(page).body.find("<b>GET</b> /2.3.0/docking_events/609/?format=api"),
            std::string::npos);
  // A small body (a 404 here) is not worth compressing.
  const auto small = server.get("/2.3.0/docking_events/1/", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(small.status, 404);
  EXPECT_EQ(small.headers.count("content-encoding"), 0U);
}

// A cache too small for a response still answers it (from the database).
TEST_F(ResponseCacheTest, ATinyCacheStillAnswersEverything) {
  Server server(db, {"--response-cache-memory", "2000"});
  for (int i = 0; i < 3; ++i) {
    for (const auto& target : kTargets) EXPECT_NE(server.get(target).status, 0) << target;
    const auto r = server.get("/2.3.0/docking_events/609/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, server.get("/2.3.0/docking_events/609/").body);
  }
}

// A write ends the cached answers that read what it changed, and only
// those: the kinds' generations (ll2d_kind_state) decide. Here the rows are
// changed behind ll2d's back and the generations set by hand, so an answer
// reused is told from one rendered again by its bytes.
TEST(ResponseCacheReads, AnAnswerOutlivesWritesToWhatItDoesNotRead) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  const auto write = [&](const std::string& kind) {
    write_as(db, "UPDATE agency SET name = name || ' (renamed)' WHERE id = 17", kind);
  };
  Server server(db);
  const std::string list = "/2.3.0/docking_events/";
  const std::string detail = "/2.3.0/docking_events/609/";
  const auto renamed = [](const HttpResponse& r) {
    return r.body.find("China National Space Administration (renamed)") != std::string::npos;
  };
  const auto first_list = server.get(list);
  const auto first_detail = server.get(detail);
  ASSERT_EQ(first_list.status, 200);
  ASSERT_NE(first_list.body.find("China National Space Administration"), std::string::npos);

  // Astronauts are not printed by docking events: both answers stay, and
  // keep their entity tags.
  write("astronaut");
  for (int i = 0; i < 2; ++i) {
    const auto l = server.get(list);
    EXPECT_EQ(l.body, first_list.body);
    EXPECT_EQ(l.headers.at("etag"), first_list.headers.at("etag"));
    EXPECT_FALSE(renamed(server.get(detail)));
  }
  // Agencies are: both are rendered again, with the name as it is now.
  write("agency");
  EXPECT_TRUE(renamed(server.get(list)));
  EXPECT_TRUE(renamed(server.get(detail)));
  EXPECT_NE(server.get(list).headers.at("etag"), first_list.headers.at("etag"));
  // A derived key of a kind it reads (`kind.field`) counts as that kind's.
  // (Each write renames the agency once more: this is the third.)
  write("spacecraft_flight.launch");
  EXPECT_NE(server.get(detail).body.find("(renamed) (renamed) (renamed)"), std::string::npos);
}

// An answer on the time (previous launches: NET up to now) is kept while the
// clock has not passed a stored NET, and rendered again once it has
// (api/clock.hpp). The real clock, with a launch a few seconds ahead.
TEST(ResponseCacheClock, APreviousListIsKeptUntilTheNextNetPasses) {
  LL2D_SQLITE_ONLY();  // changes the file behind the server's back
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  using std::chrono::system_clock;
  const auto seconds = [](system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  const auto iso = [&](int64_t s) { return ll2::datetime::format_datetime(s * 1000000); };
  const int64_t start = seconds(system_clock::now());
  const int64_t next = start + 5;  // NETs are whole seconds
  const std::string file = dir.file("launches.json");
  std::ofstream(file) << fmt::format(
      R"({{"count": 2, "next": null, "previous": null, "results": [
      {{"id": "00000000-0000-4000-8000-000000000001", "name": "Flown", "net": "{}",
        "url": "https://ll.example/2.3.0/launches/00000000-0000-4000-8000-000000000001/"}},
      {{"id": "00000000-0000-4000-8000-000000000002", "name": "Next", "net": "{}",
        "url": "https://ll.example/2.3.0/launches/00000000-0000-4000-8000-000000000002/"}}]}})",
      iso(start - 3600), iso(next));
  ASSERT_EQ(run_ll2d({"import", "--db", db, file}).exit_code, 0);
  // No reminder written (the next launch is due), and no fragment kept: an
  // answer rendered again shows every row as it is.
  Server server(db, {"--reminders", "none", "--fragment-cache-memory", "0"});
  const std::string previous = "/2.3.0/launches/previous/?mode=list";
  const auto first = server.get(previous);
  ASSERT_EQ(first.status, 200);
  // Renamed where no writer says launches changed: only an answer rendered
  // again shows it.
  write_as(db, "UPDATE launch SET name = 'Renamed' WHERE name = 'Flown'", "astronaut");
  const auto kept = server.get(previous);
  if (seconds(system_clock::now()) >= next)
    GTEST_SKIP() << "this machine took more than 5 s to get here";
  EXPECT_NE(first.body.find("Flown"), std::string::npos) << first.body;
  EXPECT_EQ(first.body.find("Next"), std::string::npos) << first.body;
  EXPECT_EQ(kept.body, first.body);

  std::this_thread::sleep_until(system_clock::time_point(std::chrono::seconds(next)) +
                                std::chrono::milliseconds(100));
  const auto later = server.get(previous);
  EXPECT_NE(later.body.find("Next"), std::string::npos) << later.body;
  EXPECT_NE(later.body.find("Renamed"), std::string::npos) << later.body;
}
