// The request handler without a socket: routing, negotiation, errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "api/engine.hpp"
#include "api/routing.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"

using namespace ll2;

namespace {

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    auto opened = store::open_sqlite(dir->file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    const auto& root = *model::registry().find_resource("docking_events")->kind;
    auto r = ingest::import_file(*opened.store, test::catalog(), &root,
                                 LL2D_FIXTURES "/docking_event_609_detailed.json");
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(r));
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  api::Response get(std::string_view target, std::string_view accept = "",
                    std::string_view method = "GET") {
    return engine.handle({method, target, "testserver", accept});
  }
  static std::string header(const api::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  static test::TempDir* dir;
  api::Engine engine{
      test::catalog(),
      [] { return std::move(store::open_sqlite(dir->file("db.sqlite3"), test::schema()).store); },
      test::without_budget()};
};
test::TempDir* EngineTest::dir = nullptr;

}  // namespace

TEST_F(EngineTest, GoldenRecordWithHostFromRequest) {
  const auto r = get("/2.3.0/docking_events/609/?format=json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(header(r, "Allow"), "GET");
  EXPECT_EQ(header(r, "Vary"), "Accept");
  EXPECT_EQ(
      r.body.rfind(
          "{\"id\":609,\"url\":\"http://testserver/2.3.0/docking_events/609/?format=json\"", 0),
      0U);
}

// A route found before (the server's, for the throttle) is the one
// answered: the engine does not route the path again.
TEST_F(EngineTest, ARouteCarriedOnTheRequestIsNotFoundAgain) {
  const api::stages::Route detail =
      engine.route_of({"GET", "/2.3.0/docking_events/609/", "testserver"});
  ASSERT_EQ(detail.kind, api::stages::Route::Detail);
  EXPECT_EQ(detail.id, "609");
  api::Request request{"GET", "/2.3.0/docking_events/", "testserver", "application/json"};
  EXPECT_NE(engine.handle(request).body.find(R"("count":1,)"), std::string::npos);
  request.route = &detail;
  const auto answered = engine.handle(request);
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.body.find(R"("count")"), std::string::npos) << answered.body.substr(0, 200);
  EXPECT_NE(answered.body.find(R"({"id":609,)"), std::string::npos) << answered.body.substr(0, 200);
}

TEST_F(EngineTest, ListDefaultsToNormalAndDetailToDetailed) {
  EXPECT_NE(get("/2.3.0/docking_events/").body.find("\"response_mode\":\"normal\""),
            std::string::npos);
  EXPECT_NE(get("/2.3.0/docking_events/609/").body.find("\"response_mode\":\"detailed\""),
            std::string::npos);
  EXPECT_NE(get("/2.3.0/docking_events/?mode=detailed").body.find("\"response_mode\":\"detailed\""),
            std::string::npos);
  EXPECT_NE(get("/2.3.0/docking_events/609/?mode=normal").body.find("\"response_mode\":\"normal\""),
            std::string::npos);
}

TEST_F(EngineTest, BadModeIs400NeverA500) {
  const auto r = get("/2.3.0/docking_events/?mode=list");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\"mode\":[\"Select a valid choice. list is not one of the available choices: normal, "
            "detailed.\"]}");
}

TEST_F(EngineTest, DetailIdAsDjangoIntegerLookup) {
  EXPECT_EQ(get("/2.3.0/docking_events/0609/").status, 200);
  EXPECT_EQ(get("/2.3.0/docking_events/%20609/").status, 200);
  const std::string missing = R"({"detail":"No DockingEvent matches the given query."})";
  const std::string malformed = R"({"detail":"Not found."})";
  EXPECT_EQ(get("/2.3.0/docking_events/610/").body, missing);
  EXPECT_EQ(get("/2.3.0/docking_events/-1/").body, missing);
  // Beyond any column's range: Django 5 runs no query and finds nothing.
  EXPECT_EQ(get("/2.3.0/docking_events/99999999999999999999999/").body, missing);
  EXPECT_EQ(get("/2.3.0/docking_events/610.json").body, missing);
  EXPECT_EQ(get("/2.3.0/docking_events/abc/").body, malformed);
  EXPECT_EQ(get("/2.3.0/docking_events/1__0/").body, malformed);
  EXPECT_EQ(get("/2.3.0/docking_events/6.9/").body, malformed);  // format "9"
  EXPECT_EQ(get("/2.3.0/docking_events/609/?format=xml").body, malformed);
}

TEST_F(EngineTest, DetailHonoursFiltersAndSearch) {
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=chang").status, 200);
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=salyut").status, 404);
  const auto excluded = get("/2.3.0/docking_events/609/?docking__gt=2025-01-01");
  EXPECT_EQ(excluded.status, 404);
  EXPECT_EQ(excluded.body, R"({"detail":"No DockingEvent matches the given query."})");
  EXPECT_EQ(get("/2.3.0/docking_events/609/?docking__gt=2024-01-01").status, 200);
  const auto bad = get("/2.3.0/docking_events/609/?docking__gt=01/15/2020");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "{\"docking__gt\":[\"Enter a valid date/time.\"]}");
}

// DRF 3.17.1's SearchFilter: smart_split terms; a NUL is its CharField's 400.
TEST_F(EngineTest, SearchTermsAsDrfSplitsThem) {
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=%22%22").status, 200);  // the empty term
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=%27%27+chang").status, 200);
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=%22chang+salyut%22").status, 404);
  const auto nul = get("/2.3.0/docking_events/?search=a%00b");
  EXPECT_EQ(nul.status, 400);
  EXPECT_EQ(nul.body, "[\"Null characters are not allowed.\"]");
  EXPECT_EQ(get("/2.3.0/docking_events/609/?search=%00").status, 400);
}

TEST_F(EngineTest, TrailingSlashRedirect) {
  const auto r = get("/2.3.0/docking_events?limit=2&x=%20");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Location"), "/2.3.0/docking_events/?limit=2&x=%20");
  EXPECT_EQ(get("/2.3.0/docking_events/609").status, 301);
  EXPECT_EQ(get("/nothing").status, 404);
  EXPECT_EQ(get("/2.3.0/no_such_endpoint/").status, 404);
  EXPECT_EQ(get("/2.3.0/launches/upcoming").status, 301);
  EXPECT_EQ(get("/2.3.0/config/orbits/3").status, 301);
}

TEST_F(EngineTest, MethodsAndHead) {
  const auto post = get("/2.3.0/docking_events/", "", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body, "{\"detail\":\"Method \\\"POST\\\" not allowed.\"}");
  EXPECT_EQ(header(post, "Allow"), "GET");
  const auto head = get("/2.3.0/docking_events/609/", "", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.omit_body);
  EXPECT_EQ(head.body, get("/2.3.0/docking_events/609/").body);
}

TEST_F(EngineTest, ContentNegotiation) {
  EXPECT_EQ(get("/2.3.0/docking_events/?format=xml").status, 404);
  EXPECT_EQ(get("/2.3.0/docking_events/", "text/html").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(get("/2.3.0/docking_events/", "text/html,application/xhtml+xml,*/*;q=0.8").content_type,
            "text/html; charset=utf-8");
  EXPECT_EQ(get("/2.3.0/docking_events/", "application/json, text/html").content_type,
            "application/json");
  EXPECT_EQ(get("/2.3.0/docking_events/", "*/*").content_type, "application/json");
  EXPECT_EQ(get("/2.3.0/docking_events/", "image/png").status, 406);
  // A format narrows the renderers to its own; Accept must still take it (DRF).
  EXPECT_EQ(get("/2.3.0/docking_events/?format=json", "text/html").status, 406);
  EXPECT_EQ(get("/2.3.0/docking_events/?format=api", "application/json").status, 406);
  EXPECT_EQ(get("/2.3.0/docking_events.api", "application/json").status, 406);
  EXPECT_EQ(get("/2.3.0/docking_events/?format=json", "text/html,*/*;q=0.8").content_type,
            "application/json");
  EXPECT_EQ(get("/2.3.0/docking_events/?format=api", "text/*").content_type,
            "text/html; charset=utf-8");
  EXPECT_EQ(get("/2.3.0/docking_events/?format=api").content_type, "text/html; charset=utf-8");
}

// DRF's JSONRenderer indents by the accepted media type's `indent` (0..8).
TEST_F(EngineTest, AcceptIndentPrettyPrintsJson) {
  EXPECT_EQ(get("/2.3.0/docking_events/610/", "application/json; indent=2").body,
            "{\n  \"detail\": \"No DockingEvent matches the given query.\"\n}");
  EXPECT_EQ(get("/2.3.0/docking_events/610/", "*/*;INDENT=\"3\"").body,
            "{\n   \"detail\": \"No DockingEvent matches the given query.\"\n}");
  const std::string compact = R"({"detail":"No DockingEvent matches the given query."})";
  for (const char* accept : {"application/json; indent=0", "application/json; indent=-2",
                             "application/json; indent=x", "application/json"})
    EXPECT_EQ(get("/2.3.0/docking_events/610/", accept).body, compact) << accept;
  const std::string eight = get("/2.3.0/docking_events/610/", "application/json; indent=80").body;
  EXPECT_EQ(eight.substr(0, 11), "{\n        \"") << eight;  // at most 8
  const std::string page = get("/2.3.0/docking_events/609/", "application/json;indent=4").body;
  EXPECT_EQ(page.substr(0, 20), "{\n    \"id\": 609,\n   ");
}

// DRF 3.17.1's layout: the filters wait in a modal behind a "Filters" button,
// after the response, and the CSRF configuration is a JSON script tag.
TEST_F(EngineTest, BrowsablePageKeepsFiltersInAModalAfterTheResponse) {
  const std::string list = get("/2.3.0/docking_events/?format=api").body;
  const size_t button = list.find("data-target=\"#filtersModal\">Filters</button>");
  const size_t response = list.find("<code id=\"body\">");
  const size_t modal = list.find("<dialog class=\"modal\" id=\"filtersModal\"");
  const size_t form = list.find("<form class=\"filters");
  ASSERT_NE(button, std::string::npos);
  ASSERT_NE(modal, std::string::npos);
  EXPECT_LT(button, response);
  EXPECT_LT(response, modal);
  EXPECT_LT(modal, form);
  EXPECT_NE(list.find("<script type=\"application/json\" id=\"drf_csrf\">"
                      "{\"csrfHeaderName\":\"X-CSRFTOKEN\",\"csrfToken\":\"\"}</script>"),
            std::string::npos);
  // A detail page, or the dashboard (one object), has no filters to show.
  const std::string detail = get("/2.3.0/docking_events/609/?format=api").body;
  EXPECT_EQ(detail.find("filtersModal"), std::string::npos);
  const auto dashboard = get("/2.3.0/dashboard/starship/?format=api");
  EXPECT_EQ(dashboard.status, 200);
  EXPECT_EQ(dashboard.body.find("filtersModal"), std::string::npos);
  EXPECT_NE(detail.find("id=\"drf_csrf\""), std::string::npos);
}

TEST_F(EngineTest, ApiRootListsServedEndpoints) {
  // Every declared route (resources and their actions), by path.
  std::set<std::string> routes;
  for (const auto& res : ll2::model::registry().resources()) {
    routes.insert(res->path);
    for (const auto& a : res->actions) routes.insert(res->path + "/" + a.name);
  }
  std::string expected;
  for (const auto& path : routes) {
    expected += fmt::format("{}\"{}\":\"http://testserver/2.3.0/{}/?format=json\"",
                            expected.empty() ? "{" : ",", path, path);
  }
  EXPECT_EQ(get("/2.3.0/?format=json").body, expected + "}");
  EXPECT_EQ(routes.size(), 58U);  // all of LL2 2.3.0 but api-throttle
}

TEST_F(EngineTest, FormatSuffixesAsDrfRoutesThem) {
  auto r = get("/2.3.0/docking_events/609.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(
      r.body.rfind("{\"id\":609,\"url\":\"http://testserver/2.3.0/docking_events/609.json\"", 0),
      0U);
  EXPECT_NE(r.body.find("\"url\":\"http://testserver/2.3.0/agencies/88.json\""), std::string::npos);
  EXPECT_EQ(get("/2.3.0/docking_events/609.json/").body, r.body);
  // The suffix wins over ?format=, which is carried along.
  r = get("/2.3.0/docking_events/609.json?format=api");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("/2.3.0/docking_events/609.json?format=api\""), std::string::npos);
  r = get("/2.3.0/docking_events.json?limit=1&offset=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"previous\":\"http://testserver/2.3.0/docking_events.json?limit=1\""),
            std::string::npos);
  EXPECT_EQ(get("/2.3.0/docking_events.api").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(get("/2.3.0/docking_events/609.xml").status, 404);
  EXPECT_EQ(get("/2.3.0/docking_events/609.xml").content_type, "application/json");
  EXPECT_EQ(get("/2.3.0/docking_events/609.JSON").content_type,
            "text/html");  // no route: Django's 404
  EXPECT_EQ(get("/2.3.0/docking_events/609.JSON").status, 404);
}
