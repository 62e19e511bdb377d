// `ll2d serve` over HTTP on an ephemeral loopback port.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "harness.hpp"
#include "util/text.hpp"

using namespace ll2::test;

namespace {

// JSON text without insignificant whitespace: Python's compact form of the
// same document, numbers and strings byte for byte as written.
std::string compact(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\')
        out += text[++i];
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out += c;
    }
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body.substr(0, 200);
  return d;
}

std::string html_unescape(std::string s) {
  s = replace_all(s, "&quot;", "\"");
  s = replace_all(s, "&#x27;", "'");
  s = replace_all(s, "&lt;", "<");
  s = replace_all(s, "&gt;", ">");
  return replace_all(s, "&amp;", "&");
}

std::string strip_tags(const std::string& s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<')
      in_tag = true;
    else if (c == '>')
      in_tag = false;
    else if (!in_tag)
      out += c;
  }
  return out;
}

class GoldenServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto r = import_golden(dir->file("golden.sqlite3"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server =
        new Server(dir->file("golden.sqlite3"), {"--public-url", "https://lldev.thespacedevs.com"});
  }
  static void TearDownTestSuite() {
    delete server;
    delete dir;
  }
  static TempDir* dir;
  static Server* server;
};
TempDir* GoldenServer::dir = nullptr;
Server* GoldenServer::server = nullptr;

}  // namespace

TEST_F(GoldenServer, DetailIsTheGoldenRecordByteForByte) {
  const auto r =
      server->get("/2.3.0/docking_events/609/?format=json", {{"Host", "lldev.thespacedevs.com"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("allow"), "GET");
  EXPECT_EQ(r.headers.at("vary"), "Accept, origin");  // DRF, then django-cors-headers
  const std::string expected = compact(replace_all(golden_text(), "?format=api", "?format=json"));
  EXPECT_EQ(r.body, expected);
}

TEST_F(GoldenServer, BrowsablePageShowsTheGoldenTextExactly) {
  const auto r = server->get("/2.3.0/docking_events/609/?format=api");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  const size_t start = r.body.find("<code id=\"body\">");
  const size_t end = r.body.find("</code>", start);
  ASSERT_NE(start, std::string::npos);
  std::string block = html_unescape(strip_tags(r.body.substr(start, end - start)));
  std::string golden = golden_text();
  while (!golden.empty() && golden.back() == '\n') golden.pop_back();
  EXPECT_EQ(block, golden);
  EXPECT_NE(r.body.find("<title>Docking Event Instance"), std::string::npos);
  EXPECT_NE(r.body.find("GET</b> /2.3.0/docking_events/609/?format=api"), std::string::npos);
  EXPECT_NE(
      r.body.find("<a href=\"https://lldev.thespacedevs.com/2.3.0/agencies/88/?format=api\">"),
      std::string::npos);
  EXPECT_NE(r.body.find("Fields searched"), std::string::npos);
}

TEST_F(GoldenServer, HeadAnswersLikeGetWithoutBody) {
  const auto get = server->get("/2.3.0/docking_events/609/");
  const auto head = server->request("HEAD", "/2.3.0/docking_events/609/");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.at("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST_F(GoldenServer, OtherMethodsAre405WithAllow) {
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH"}) {
    const auto r = server->request(m, "/2.3.0/docking_events/");
    EXPECT_EQ(r.status, 405) << m;
    EXPECT_EQ(r.headers.at("allow"), "GET");
    EXPECT_EQ(r.body, std::string("{\"detail\":\"Method \\\"") + m + "\\\" not allowed.\"}");
  }
}

TEST_F(GoldenServer, OptionsAnswersDrfMetadata) {
  auto r = server->request("OPTIONS", "/2.3.0/docking_events/");
  EXPECT_EQ(r.status, 200);
  const auto d = parse(r.body);
  EXPECT_EQ(std::string(d["name"].GetString()), "Docking Event List");
  EXPECT_NE(std::string(d["description"].GetString()).find("#### Filters"), std::string::npos);
  EXPECT_EQ(d["renders"].Size(), 2U);
  EXPECT_EQ(std::string(d["renders"][1].GetString()), "text/html");
  EXPECT_EQ(std::string(d["parses"][0].GetString()), "application/json");
  r = server->request("OPTIONS", "/2.3.0/docking_events/609/");
  EXPECT_EQ(std::string(parse(r.body)["name"].GetString()), "Docking Event Instance");
}

TEST_F(GoldenServer, StylesheetIsServedWithCachingHeaders) {
  const auto page = server->get("/2.3.0/docking_events/?format=api");
  EXPECT_NE(page.body.find("<link rel=\"stylesheet\" href=\"/static/ll2d.css?v="),
            std::string::npos);
  const auto css = server->get("/static/ll2d.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.headers.at("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.headers.at("cache-control"), "public, max-age=86400");
  const std::string etag = css.headers.at("etag");
  EXPECT_EQ(server->get("/static/ll2d.css", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(server->get("/static/other.css").status, 404);
}

TEST_F(GoldenServer, ApiRootAsJsonAndPage) {
  const auto root = parse(server->get("/2.3.0/?format=json").body);
  ASSERT_TRUE(root.IsObject());
  EXPECT_EQ(root.MemberCount(), 58U);  // every LL2 2.3.0 list route but api-throttle
  EXPECT_STREQ(root["launches/upcoming"].GetString(),
               "https://lldev.thespacedevs.com/2.3.0/launches/upcoming/?format=json");
  const auto page = server->get("/2.3.0/?format=api");
  EXPECT_NE(page.body.find("<title>Api Root"), std::string::npos);
  EXPECT_NE(page.body.find(
                "<a href=\"https://lldev.thespacedevs.com/2.3.0/docking_events/?format=api\">"),
            std::string::npos);
}

TEST_F(GoldenServer, RedirectsAndNotFound) {
  auto r = server->get("/2.3.0/docking_events?search=chang");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.headers.at("location"), "/2.3.0/docking_events/?search=chang");
  r = server->get("/2.3.0/docking_events/610/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"No DockingEvent matches the given query."})");
  r = server->get("/2.3.0/docking_events/x/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not found."})");
  EXPECT_EQ(server->get("/2.3.0/docking_events/?format=yaml").status, 404);
  EXPECT_EQ(server->get("/elsewhere/").status, 404);
}

TEST_F(GoldenServer, AccessLogHasOneLinePerRequest) {
  server->get("/2.3.0/docking_events/?limit=1");
  const std::string log = server->stderr_text();
  EXPECT_NE(log.find("method=GET path=\"/2.3.0/docking_events/?limit=1\" status=200 bytes="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" us="), std::string::npos);
}

TEST(ServeShutdown, SigtermExitsCleanly) {
  TempDir dir;
  // serve never creates a database: an import of an empty page does.
  std::ofstream(dir.file("none.json")) << R"({"count": 0, "next": null, "previous": null, )"
                                       << R"("results": []})";
  ASSERT_EQ(run_ll2d({"import", "--db", dir.file("empty.sqlite3"), "--resource", "docking_events",
                      dir.file("none.json")})
                .exit_code,
            0);
  Server server(dir.file("empty.sqlite3"));
  EXPECT_EQ(server.get("/2.3.0/docking_events/").body,
            "{\"count\":0,\"next\":null,\"previous\":null,\"results\":[]}");
  EXPECT_EQ(server.stop(), 0);
}

// On PostgreSQL a read is BEGIN, the generation and COMMIT around its own
// statements: the time budget is the connection's statement_timeout, set
// once (to the budget in whole seconds), not again in every request.
TEST(ServePostgres, TheTimeBudgetIsSetOncePerConnection) {
  if (!postgres_backend()) GTEST_SKIP() << "PostgreSQL's statements are counted";
  TempDir dir;
  const std::string db = dir.file("budget.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  if (query_int64(db, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'") <
      1) {
    if (query_int64(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT 1") != 1 ||
        query_int64(db, "SELECT count(*) FROM pg_stat_statements") < 0)
      GTEST_SKIP() << "pg_stat_statements is not loaded on this server";
  }
  const auto calls = [&](const std::string& like) {
    return query_int64(db,
                       "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
                       "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = "
                       "current_database() AND query LIKE '" +
                           like + "'");
  };
  // Entries the server evicts (past pg_stat_statements.max) lose their counts,
  // and the suite's other tests fill the view with their own databases'
  // statements. So each try starts from an emptied view, and a try during
  // which the server evicted anyway is made again.
  const auto evicted = [&] {
    return query_int64(db, "SELECT dealloc FROM pg_stat_statements_info");
  };
  int64_t reads_before = 0;
  bool counted = false;
  for (int attempt = 0; attempt < 3 && !counted; ++attempt) {
    ASSERT_EQ(query_int64(db, "SELECT count(*) FROM (SELECT pg_stat_statements_reset()) r"), 1);
    const int64_t evicted_before = evicted();
    reads_before = calls("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY%");
    Server server(db, {"--threads", "1", "--query-timeout-ms", "1500"});
    for (const std::string target :
         {"/2.3.0/docking_events/609/", "/2.3.0/docking_events/", "/2.3.0/agencies/",
          "/2.3.0/space_stations/", "/2.3.0/docking_events/?limit=1"})
      ASSERT_EQ(server.get(target).status, 200) << target;
    EXPECT_EQ(server.stop(), 0);
    counted = evicted() == evicted_before;
  }
  ASSERT_TRUE(counted) << "statements were evicted in each of 3 tries: raise "
                          "pg_stat_statements.max (scripts/pg-cluster.sh)";
  EXPECT_GE(calls("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY%") - reads_before, 5);
  EXPECT_EQ(calls("SET statement_timeout = 2000%"), 1);
  EXPECT_EQ(calls("%SET LOCAL statement_timeout%"), 0);
}

TEST(ServeEscaping, DataStringsCannotInjectMarkup) {
  TempDir dir;
  std::string event = replace_all(golden_text(), "\"name\": \"Chang'e 6\"",
                                  "\"name\": \"<script>alert(\\\"x\\\")</script> & 'q'\"");
  std::ofstream(dir.file("evil.json")) << event;
  ASSERT_EQ(run_ll2d({"import", "--db", dir.file("db.sqlite3"), dir.file("evil.json")}).exit_code,
            0);
  Server server(dir.file("db.sqlite3"));
  const auto page = server.get("/2.3.0/docking_events/?format=api");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(
      page.body.find("&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"),
      std::string::npos);
  const auto json = server.get("/2.3.0/docking_events/?format=json");
  EXPECT_NE(json.body.find("\"<script>alert(\\\"x\\\")</script> & 'q'\""), std::string::npos);
}

// ---------------------------------------------------------------- lists ----

namespace {

struct Event {
  int64_t id;
  std::string docking;
  std::string departure;  // empty for null
  int64_t location = 0, chaser_flight = 0, station_target = 0;
  std::vector<std::string> names;  // the seven searched fields that are present
};

class ListServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    const auto g =
        run_ll2d({"generate", "--events", "300", "--seed", "7", "--out", dir->file("gen")});
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const auto i = run_ll2d({"import", "--db", dir->file("db.sqlite3"), dir->file("gen")});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    server = new Server(dir->file("db.sqlite3"));
    // The oracle: every event, read page by page in normal mode.
    events = new std::vector<Event>();
    for (int offset = 0; offset < 300; offset += 100) {
      const auto page = parse(
          server->get("/2.3.0/docking_events/?limit=100&offset=" + std::to_string(offset)).body);
      for (const auto& e : page["results"].GetArray()) {
        Event ev;
        ev.id = e["id"].GetInt64();
        ev.docking = e["docking"].GetString();
        ev.departure = e["departure"].IsNull() ? "" : e["departure"].GetString();
        ev.location = e["docking_location"]["id"].GetInt64();
        ev.names.emplace_back(e["docking_location"]["name"].GetString());
        if (!e["flight_vehicle_chaser"].IsNull()) {
          ev.chaser_flight = e["flight_vehicle_chaser"]["id"].GetInt64();
          ev.names.emplace_back(e["flight_vehicle_chaser"]["spacecraft"]["name"].GetString());
        }
        if (!e["flight_vehicle_target"].IsNull())
          ev.names.emplace_back(e["flight_vehicle_target"]["spacecraft"]["name"].GetString());
        if (!e["payload_flight_chaser"].IsNull())
          ev.names.emplace_back(e["payload_flight_chaser"]["payload"]["name"].GetString());
        if (!e["payload_flight_target"].IsNull())
          ev.names.emplace_back(e["payload_flight_target"]["payload"]["name"].GetString());
        if (!e["space_station_chaser"].IsNull())
          ev.names.emplace_back(e["space_station_chaser"]["name"].GetString());
        if (!e["space_station_target"].IsNull()) {
          ev.station_target = e["space_station_target"]["id"].GetInt64();
          ev.names.emplace_back(e["space_station_target"]["name"].GetString());
        }
        events->push_back(std::move(ev));
      }
    }
  }
  static void TearDownTestSuite() {
    delete events;
    delete server;
    delete dir;
  }

  static std::vector<int64_t> ids(const std::string& query) {
    std::vector<int64_t> out;
    std::string next = "/2.3.0/docking_events/?limit=100&" + query;
    while (!next.empty()) {
      const auto r = server->get(next);
      EXPECT_EQ(r.status, 200) << next << " " << r.body;
      if (r.status != 200) break;
      const auto d = parse(r.body);
      for (const auto& e : d["results"].GetArray()) out.push_back(e["id"].GetInt64());
      next = d["next"].IsNull() ? "" : std::string(d["next"].GetString());
      const std::string base = "http://127.0.0.1:" + std::to_string(server->port());
      if (!next.empty()) next = next.substr(base.size());
    }
    return out;
  }
  template <class Pred>
  static std::vector<int64_t> expected(Pred keep) {
    std::vector<int64_t> out;
    for (const auto& e : *events) {
      if (keep(e)) out.push_back(e.id);
    }
    return out;
  }
  static bool any_name_contains(const Event& e, const std::string& upper_term) {
    return std::any_of(e.names.begin(), e.names.end(), [&](const std::string& n) {
      return ll2::text::unicode_upper(n).find(upper_term) != std::string::npos;
    });
  }

  static TempDir* dir;
  static Server* server;
  static std::vector<Event>* events;
};
TempDir* ListServer::dir = nullptr;
Server* ListServer::server = nullptr;
std::vector<Event>* ListServer::events = nullptr;

}  // namespace

TEST_F(ListServer, DefaultOrderIsDockingThenId) {
  ASSERT_EQ(events->size(), 300U);
  for (size_t i = 1; i < events->size(); ++i) {
    const auto& a = (*events)[i - 1];
    const auto& b = (*events)[i];
    EXPECT_TRUE(a.docking < b.docking || (a.docking == b.docking && a.id < b.id));
  }
  std::set<int64_t> unique;
  for (const auto& e : *events) unique.insert(e.id);
  EXPECT_EQ(unique.size(), 300U);
}

TEST_F(ListServer, PaginationLinksAsDrfBuildsThem) {
  const std::string base =
      "http://127.0.0.1:" + std::to_string(server->port()) + "/2.3.0/docking_events/";
  auto d = parse(server->get("/2.3.0/docking_events/").body);
  EXPECT_EQ(d["count"].GetInt(), 300);
  EXPECT_EQ(std::string(d["next"].GetString()), base + "?limit=10&offset=10");
  EXPECT_TRUE(d["previous"].IsNull());
  EXPECT_EQ(d["results"].Size(), 10U);

  d = parse(server->get("/2.3.0/docking_events/?offset=3&limit=5&search=a+b&format=json").body);
  EXPECT_EQ(std::string(d["next"].GetString()), base + "?format=json&limit=5&offset=8&search=a+b");
  EXPECT_EQ(std::string(d["previous"].GetString()), base + "?format=json&limit=5&search=a+b");

  d = parse(server->get("/2.3.0/docking_events/?limit=10&offset=25").body);
  EXPECT_EQ(std::string(d["previous"].GetString()), base + "?limit=10&offset=15");

  d = parse(server->get("/2.3.0/docking_events/?limit=100&offset=250").body);
  EXPECT_TRUE(d["next"].IsNull());
  EXPECT_EQ(d["results"].Size(), 50U);

  d = parse(server->get("/2.3.0/docking_events/?offset=5000").body);
  EXPECT_EQ(d["count"].GetInt(), 300);
  EXPECT_EQ(d["results"].Size(), 0U);

  EXPECT_EQ(parse(server->get("/2.3.0/docking_events/?limit=1000").body)["results"].Size(), 100U);
  EXPECT_EQ(parse(server->get("/2.3.0/docking_events/?limit=0").body)["results"].Size(), 10U);
  EXPECT_EQ(parse(server->get("/2.3.0/docking_events/?limit=-4&offset=-2").body)["results"][0]["id"]
                .GetInt64(),
            (*events)[0].id);
}

TEST_F(ListServer, WalkingNextVisitsEveryEventOnce) {
  const auto all = ids("");
  EXPECT_EQ(all, expected([](const Event&) { return true; }));
}

TEST_F(ListServer, DateFilters) {
  const std::string pivot = (*events)[150].docking;
  EXPECT_EQ(ids("docking__gte=" + pivot),
            expected([&](const Event& e) { return e.docking >= pivot; }));
  EXPECT_EQ(ids("docking__gt=" + pivot),
            expected([&](const Event& e) { return e.docking > pivot; }));
  EXPECT_EQ(ids("docking__lt=" + pivot),
            expected([&](const Event& e) { return e.docking < pivot; }));
  EXPECT_EQ(ids("docking__lte=" + pivot + "&docking__gt=" + (*events)[100].docking),
            expected([&](const Event& e) {
              return e.docking <= pivot && e.docking > (*events)[100].docking;
            }));
  // An offset moves the instant: 12:00+02:00 is 10:00Z.
  const std::string day = pivot.substr(0, 10);
  EXPECT_EQ(ids("docking__gte=" + day + "T12:00:00%2B02:00"),
            expected([&](const Event& e) { return e.docking >= day + "T10:00:00Z"; }));
  EXPECT_EQ(ids("docking__gte=" + day),
            expected([&](const Event& e) { return e.docking >= day + "T00:00:00Z"; }));
}

TEST_F(ListServer, IdFilters) {
  const auto& e = (*events)[42];
  EXPECT_EQ(ids("docking_location__id=" + std::to_string(e.location)),
            expected([&](const Event& x) { return x.location == e.location; }));
  EXPECT_EQ(ids("docking_location__id=%20" + std::to_string(e.location) + ".0"),
            expected([&](const Event& x) { return x.location == e.location; }));
  const int64_t station = 9;
  EXPECT_EQ(ids("space_station_target__id=" + std::to_string(station)),
            expected([&](const Event& x) { return x.station_target == station; }));
  const auto* with_chaser = &*std::find_if(events->begin(), events->end(),
                                           [](const Event& x) { return x.chaser_flight; });
  EXPECT_EQ(
      ids("flight_vehicle_chaser__id=" + std::to_string(with_chaser->chaser_flight)),
      expected([&](const Event& x) { return x.chaser_flight == with_chaser->chaser_flight; }));
  EXPECT_EQ(ids("space_station_target__id=&docking_location__id="),
            expected([](const Event&) { return true; }));
}

TEST_F(ListServer, InvalidFilterValuesAre400s) {
  auto r = server->get("/2.3.0/docking_events/?docking__gt=01/15/2020");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\"docking__gt\":[\"Enter a valid date/time.\"]}");
  r = server->get(
      "/2.3.0/docking_events/?docking_location__id=abc&docking__lte=2020-01-01T00:00:00%2B25:00");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\"docking_location__id\":[\"Enter a number.\"],\"docking__lte\":[\"Enter a valid "
            "date/time.\"]}");
  EXPECT_EQ(server->get("/2.3.0/docking_events/?docking__gt=1577836800").status, 400);
  EXPECT_EQ(server->get("/2.3.0/docking_events/?mode=list").status, 400);
  EXPECT_EQ(server->get("/2.3.0/docking_events/?unknown=1&ordering=nonsense").status, 200);
}

TEST_F(ListServer, SearchIsCaseInsensitiveUnicodeAndLiteral) {
  const auto etoile = ids("search=%C3%A9toile");
  EXPECT_FALSE(etoile.empty());
  EXPECT_EQ(etoile, ids("search=%C3%89TOILE"));
  EXPECT_EQ(etoile, expected([](const Event& e) { return any_name_contains(e, "ÉTOILE"); }));
  EXPECT_EQ(ids("search=%D0%B6%D1%83%D1%80%D0%B0%D0%B2%D0%BB%D1%8C"),
            expected([](const Event& e) { return any_name_contains(e, "ЖУРАВЛЬ"); }));
  // % and _ match only themselves.
  const auto percent = ids("search=%25");
  EXPECT_FALSE(percent.empty());
  EXPECT_LT(percent.size(), 300U);
  EXPECT_EQ(percent, expected([](const Event& e) { return any_name_contains(e, "%"); }));
  EXPECT_EQ(ids("search=%5C"), expected([](const Event& e) { return any_name_contains(e, "\\"); }));
  // Every term must match, terms split on commas and whitespace.
  EXPECT_EQ(ids("search=soyuz,+port"), expected([](const Event& e) {
              return any_name_contains(e, "SOYUZ") && any_name_contains(e, "PORT");
            }));
  EXPECT_EQ(ids("search=+,+"), expected([](const Event&) { return true; }));
  EXPECT_TRUE(ids("search=no-such-name-anywhere").empty());
}

TEST_F(ListServer, OrderingWithPostgresNullPlacement) {
  const auto by_departure_desc = ids("ordering=-departure");
  std::vector<Event> sorted = *events;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Event& a, const Event& b) {
    if (a.departure.empty() != b.departure.empty())
      return a.departure.empty();  // NULLs first descending
    if (a.departure != b.departure) return a.departure > b.departure;
    return a.id < b.id;
  });
  std::vector<int64_t> want;
  want.reserve(sorted.size());
  for (const auto& e : sorted) want.push_back(e.id);
  EXPECT_EQ(by_departure_desc, want);
  ASSERT_TRUE(sorted.front().departure.empty()) << "the sample should have null departures";

  const auto asc = ids("ordering=departure");
  std::stable_sort(sorted.begin(), sorted.end(), [](const Event& a, const Event& b) {
    if (a.departure.empty() != b.departure.empty())
      return b.departure.empty();  // NULLs last ascending
    if (a.departure != b.departure) return a.departure < b.departure;
    return a.id < b.id;
  });
  want.clear();
  for (const auto& e : sorted) want.push_back(e.id);
  EXPECT_EQ(asc, want);

  const auto default_order = expected([](const Event&) { return true; });
  std::vector<Event> by_docking = *events;
  std::stable_sort(by_docking.begin(), by_docking.end(), [](const Event& a, const Event& b) {
    return a.docking != b.docking ? a.docking > b.docking : a.id < b.id;
  });
  want.clear();
  for (const auto& e : by_docking) want.push_back(e.id);
  EXPECT_EQ(ids("ordering=-docking"), want);
  EXPECT_EQ(ids("ordering=--docking,id,foo"), default_order);  // nothing valid: the default
}

TEST_F(ListServer, ModesAndFormatsOnLists) {
  const auto detailed =
      parse(server->get("/2.3.0/docking_events/?mode=detailed&limit=2&format=json").body);
  EXPECT_EQ(std::string(detailed["results"][0]["response_mode"].GetString()), "detailed");
  const std::string url = detailed["results"][0]["url"].GetString();
  EXPECT_TRUE(url.ends_with("/?format=json")) << url;
  const auto page = server->get("/2.3.0/docking_events/", {{"Accept", "text/html"}});
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>Docking Event List"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"docking__gte\""), std::string::npos);
}

TEST(ServeErrors, AnUnreadableDatabaseIsA500NotACrash) {
  LL2D_SQLITE_ONLY();
  TempDir dir;
  ASSERT_EQ(import_golden(dir.file("db.sqlite3")).exit_code, 0);
  Server server(dir.file("db.sqlite3"));
  // Workers open their connection on first use; make that fail.
  std::filesystem::rename(dir.file("db.sqlite3"), dir.file("moved.sqlite3"));
  std::filesystem::create_directory(dir.file("db.sqlite3"));
  const auto r = server.get("/2.3.0/docking_events/609/");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "{\"detail\":\"A server error occurred.\"}");
  EXPECT_EQ(server.get("/2.3.0/docking_events/609/").status, 500);  // still serving
  EXPECT_NE(server.stderr_text().find("ll2d: error handling GET /2.3.0/docking_events/609/"),
            std::string::npos);
  EXPECT_EQ(server.stop(), 0);
}

// Every API response carries an entity tag of its bytes; a client that has
// them gets 304 without a body, until an import changes them.
TEST(ServeCache, ConditionalGetAnswers304UntilTheDataChanges) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  Server server(db);
  for (const std::string target :
       {"/2.3.0/docking_events/609/", "/2.3.0/docking_events/?search=chang", "/2.3.0/",
        "/2.3.0/docking_events/?format=api"}) {
    const auto first = server.get(target);
    ASSERT_EQ(first.status, 200) << target;
    const auto tag = first.headers.find("etag");
    ASSERT_NE(tag, first.headers.end()) << target;
    EXPECT_EQ(server.get(target).headers.at("etag"), tag->second) << "stable";
    for (const std::string& sent : {tag->second, "W/" + tag->second, "\"x\", " + tag->second}) {
      const auto again = server.get(target, {{"If-None-Match", sent}});
      EXPECT_EQ(again.status, 304) << target << " " << sent;
      EXPECT_EQ(again.body, "");
      EXPECT_EQ(again.headers.at("etag"), tag->second);
      EXPECT_EQ(again.headers.count("content-type"), 0U);
    }
    EXPECT_EQ(server.get(target, {{"If-None-Match", "\"other\""}}).status, 200);
  }
  const auto before = server.get("/2.3.0/docking_events/609/");
  std::ofstream(dir.file("renamed.json"))
      << replace_all(golden_text(), "China National Space Administration", "CNSA renamed");
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("renamed.json")}).exit_code, 0);
  const auto after =
      server.get("/2.3.0/docking_events/609/", {{"If-None-Match", before.headers.at("etag")}});
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.headers.at("etag"), before.headers.at("etag"));
}

TEST(ServeCache, AnImportWhileServingIsSeenAtOnce) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  ASSERT_EQ(import_golden(db).exit_code, 0);
  Server server(db);
  for (int i = 0; i < 4; ++i) {  // warm every worker's caches
    ASSERT_NE(
        server.get("/2.3.0/docking_events/609/").body.find("China National Space Administration"),
        std::string::npos);
    ASSERT_EQ(server.get("/2.3.0/docking_events/?search=renamed").body.find("\"count\":1"),
              std::string::npos);
  }
  std::ofstream(dir.file("renamed.json")) << replace_all(
      replace_all(golden_text(), "China National Space Administration", "CNSA renamed"),
      "\"name\": \"Chang'e 6\"", "\"name\": \"Chang'e 6 renamed\"");
  ASSERT_EQ(run_ll2d({"import", "--db", db, dir.file("renamed.json")}).exit_code, 0);
  for (int i = 0; i < 4; ++i) {
    const auto body = server.get("/2.3.0/docking_events/609/").body;
    EXPECT_NE(body.find("CNSA renamed"), std::string::npos);
    EXPECT_EQ(body.find("China National Space Administration"), std::string::npos);
    EXPECT_NE(server.get("/2.3.0/docking_events/?search=renamed").body.find("\"count\":1"),
              std::string::npos);
  }
}

// The `count` of a list the server answers 200 (-1 when it has none).
int list_count(const Server& server, const std::string& target) {
  const auto r = server.get(target);
  EXPECT_EQ(r.status, 200) << target << " " << r.body;
  const size_t at = r.body.find("\"count\":");
  return at == std::string::npos ? -1 : std::stoi(r.body.substr(at + 8));
}

// LL2 prints a station's orbit and an agency's parent by name; the filters
// by id match the named object's name (ModelChoice for `orbit`: an orbit
// that does not exist is a 400; `parent__id` is a number filter).
TEST(ServeFilters, OrbitAndParentFiltersMatchByTheNamedObjectsName) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  std::ofstream(dir.file("orbits.json"))
      << R"([{"id": 8, "name": "Low Earth Orbit", "abbrev": "LEO"},
             {"id": 9, "name": "Geostationary Orbit", "abbrev": "GTO"}])";
  const std::string agency = "https://ll.thespacedevs.com/2.3.0/agencies/";
  std::ofstream(dir.file("agencies.json"))
      << R"([{"id": 500, "url": ")" << agency << R"(500/", "name": "Mother", "parent": null},
             {"id": 501, "url": ")"
      << agency << R"(501/", "name": "Child", "parent": "Mother"},
             {"id": 502, "url": ")"
      << agency << R"(502/", "name": "Other", "parent": "Nobody"}])";
  ASSERT_EQ(run_ll2d({"import", "--db", db, "--resource", "config/orbits", dir.file("orbits.json")})
                .exit_code,
            0);
  const auto imported =
      run_ll2d({"import", "--db", db, dir.file("agencies.json"),
                std::string(LL2D_FIXTURES) + "/real/space-stations-2-normal.json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  Server server(db);
  const auto count = [&](const std::string& target) { return list_count(server, target); };
  EXPECT_EQ(count("/2.3.0/space_stations/"), 2);
  EXPECT_EQ(count("/2.3.0/space_stations/?orbit=8"), 2);
  EXPECT_EQ(count("/2.3.0/space_stations/?orbit=9"), 0);
  const auto missing = server.get("/2.3.0/space_stations/?orbit=77");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(
      missing.body,
      R"({"orbit":["Select a valid choice. That choice is not one of the available choices."]})");
  EXPECT_EQ(count("/2.3.0/agencies/?parent__id=500"), 1);
  EXPECT_NE(server.get("/2.3.0/agencies/?parent__id=500").body.find("\"name\":\"Child\""),
            std::string::npos);
  EXPECT_EQ(count("/2.3.0/agencies/?parent__id=501"), 0);
  EXPECT_EQ(count("/2.3.0/agencies/?parent__id=999"), 0);
}

// related_lsp__id / __name: launches of these providers or of their child
// agencies (a child names its parent).
TEST(ServeFilters, RelatedProviderFiltersTakeChildAgencies) {
  TempDir dir;
  const std::string db = dir.file("db.sqlite3");
  const std::string agency = "https://ll.thespacedevs.com/2.3.0/agencies/";
  // The fixture's two launches are by agency 66 (Soviet Space Program);
  // 66 becomes a child of 600.
  std::ofstream(dir.file("agencies.json"))
      << R"([{"id": 600, "url": ")" << agency << R"(600/", "name": "Parent Co", "parent": null},
             {"id": 66, "url": ")"
      << agency << R"(66/", "parent": "Parent Co"}])";
  const auto imported = run_ll2d({"import", "--db", db,
                                  std::string(LL2D_FIXTURES) + "/real/launches-limit2-normal.json",
                                  dir.file("agencies.json")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  Server server(db);
  const auto count = [&](const std::string& target) { return list_count(server, target); };
  EXPECT_EQ(count("/2.3.0/launches/"), 2);
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__id=66"), 2);     // the provider itself
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__id=600"), 2);    // its parent
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__id=600,5"), 2);  // a list
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__id=5"), 0);
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__name=Parent%20Co"), 2);
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__name=Soviet%20Space%20Program"), 2);
  EXPECT_EQ(count("/2.3.0/launches/?related_lsp__name=Nobody"), 0);
  EXPECT_EQ(server.get("/2.3.0/launches/?related_lsp__id=x").status, 400);
}
