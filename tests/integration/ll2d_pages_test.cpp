// ll2d's own pages outside LL2's namespace, on the real server: the live
// page's embedded configuration (/ll2d/live/; the page itself runs in
// Chromium in tests/browser/live_test.mjs) and the OpenAPI document of
// /ll2d/ (/ll2d/schema/), held to what the feed accepts and emits.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "catalog/catalog.hpp"
#include "feed/changes.hpp"
#include "harness.hpp"
#include "model/schema.hpp"

namespace ll2::test {
namespace {

constexpr const char* kLaunch0 = "e3df2ecd-c239-472f-95e4-2b89b4f75800";

std::string fixture() {
  return std::string(LL2D_FIXTURES) + "/real/launches-limit2-normal.json";
}

rapidjson::Document parsed(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body.substr(0, 300);
  return d;
}

// The page's embedded configuration (a JSON script element).
rapidjson::Document live_config(const Server& s) {
  const auto r = s.get("/ll2d/live/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  const std::string open = R"(<script type="application/json" id="live-config">)";
  const size_t at = r.body.find(open);
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return parsed("null");
  const size_t from = at + open.size();
  return parsed(r.body.substr(from, r.body.find("</script>", from) - from));
}

// The log's end as the feed reports it.
int64_t log_end(const Server& s) {
  return parsed(s.get("/ll2d/changes/?limit=1000").body)["next_since"].GetInt64();
}

// A URL relative to /ll2d/live/, resolved as a browser does for these.
std::string from_live_page(std::string url) {
  std::string base = "/ll2d/live/";
  while (url.starts_with("../")) {
    url.erase(0, 3);
    base.erase(base.rfind('/', base.size() - 2) + 1);
  }
  return base + url;
}

TEST(LivePage, EmbedsTheLogsEndAndWhereItReadsLaunchesAndTheStream) {
  TempDir dir;
  const std::string db = dir.file("live.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});

  auto config = live_config(s);
  ASSERT_TRUE(config.IsObject());
  EXPECT_GT(config["since"].GetInt64(), 0);
  EXPECT_EQ(config["since"].GetInt64(), log_end(s));
  const std::string launches = from_live_page(config["launches"].GetString());
  EXPECT_TRUE(launches.starts_with("/2.3.0/launches/upcoming/?")) << launches;
  EXPECT_NE(launches.find("limit=10"), std::string::npos) << launches;  // the next ten
  EXPECT_EQ(s.get(launches).status, 200);
  const std::string stream = from_live_page(config["stream"].GetString());
  EXPECT_TRUE(stream.starts_with("/ll2d/changes/stream?kinds=launch")) << stream;

  // Another process's import moves the end: a page served now starts there.
  const std::string moved = dir.file("moved.json");
  {
    std::string text = read_file(fixture());
    const std::string old_net = "\"net\": \"1957-10-04T19:28:34Z\"";
    const size_t at = text.find(old_net);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, old_net.size(), "\"net\": \"2099-01-02T03:04:05Z\"");
    std::ofstream(moved, std::ios::binary) << text;
  }
  const int64_t before = config["since"].GetInt64();
  ASSERT_EQ(run_ll2d({"import", "--db", db, moved}).exit_code, 0);
  config = live_config(s);
  EXPECT_GT(config["since"].GetInt64(), before);
  EXPECT_EQ(config["since"].GetInt64(), log_end(s));
}

TEST(LivePage, AnswersGetAndHeadOnly) {
  TempDir dir;
  const std::string db = dir.file("live.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});
  const auto head = s.request("HEAD", "/ll2d/live/");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  const auto post = s.request("POST", "/ll2d/live/");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.at("allow"), "GET, HEAD");
  const auto bare = s.get("/ll2d/live");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(bare.headers.at("location"), "/ll2d/live/");
}

// The page and the document are no DRF views: never throttled (the page's
// own requests are counted as any client's).
TEST(LivePage, AndTheSchemaAreNotThrottled) {
  TempDir dir;
  const std::string db = dir.file("live.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log", "--anon-rate", "1/m"});
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 200);
  EXPECT_EQ(s.get("/2.3.0/launches/").status, 429);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.get("/ll2d/live/").status, 200);
    EXPECT_EQ(s.get("/ll2d/schema/").status, 200);
  }
  EXPECT_EQ(s.get("/ll2d/changes/").status, 429);
}

// Every type an entry can carry, from the feed's own declaration.
std::set<std::string> feed_types() {
  std::set<std::string> out;
  for (const auto& k : model::registry().kinds()) {
    if (k->id_type == model::IdType::None) continue;
    for (auto& t : feed::types_of(*k)) out.insert(std::move(t));
  }
  return out;
}

std::set<std::string> strings(const rapidjson::Value& array) {
  std::set<std::string> out;
  for (const auto& v : array.GetArray()) out.emplace(v.GetString());
  return out;
}

// A path's parameters by name (query ones; `in` header ones as "header:NAME").
std::map<std::string, const rapidjson::Value*> parameters(const rapidjson::Value& path) {
  std::map<std::string, const rapidjson::Value*> out;
  for (const auto& p : path["get"]["parameters"].GetArray()) {
    const std::string name = p["name"].GetString();
    const bool fresh =
        out.emplace(std::string(p["in"] == "header" ? "header:" : "") + name, &p).second;
    EXPECT_TRUE(fresh) << name << " listed twice";
  }
  return out;
}

TEST(FeedSchema, NamesThePathsTheParametersAndEveryTypeTheFeedEmits) {
  TempDir dir;
  const std::string db = dir.file("schema.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});
  const auto r = s.get("/ll2d/schema/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/vnd.oai.openapi+json");
  const auto doc = parsed(r.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["openapi"].GetString(), "3.0.3");
  const auto& paths = doc["paths"];
  for (const char* p : {"/ll2d/changes/", "/ll2d/changes/stream", "/ll2d/live/", "/ll2d/schema/"})
    EXPECT_TRUE(paths.HasMember(p)) << p;

  for (const char* path : {"/ll2d/changes/", "/ll2d/changes/stream"}) {
    const auto params = parameters(paths[path]);
    // The feed's own, and the launch filters (lsp__id, location__ids, is_crewed...).
    for (const char* name :
         {"since", "limit", "kinds", "types", "id", "lsp__id", "location__ids", "is_crewed"})
      EXPECT_TRUE(params.count(name)) << path << " " << name;
    // Every launch filter (`id` once: the feed's own comes first).
    for (const auto& f : model::registry().find_resource("launches")->filters)
      EXPECT_TRUE(params.count(f.param)) << path << " " << f.param;
    const auto& types = (*params.at("types"))["schema"]["items"]["enum"];
    EXPECT_EQ(strings(types), feed_types()) << path;
  }
  EXPECT_TRUE(parameters(paths["/ll2d/changes/stream"]).count("header:Last-Event-ID"));
  EXPECT_TRUE(paths["/ll2d/changes/stream"]["get"]["responses"]["200"]["content"].HasMember(
      "text/event-stream"));
  EXPECT_TRUE(paths["/ll2d/live/"]["get"]["responses"]["200"]["content"].HasMember("text/html"));

  const auto& schemas = doc["components"]["schemas"];
  EXPECT_EQ(strings(schemas["ChangeEntry"]["properties"]["types"]["items"]["enum"]), feed_types());
  EXPECT_EQ(strings(schemas["ChangePage"]["required"]),
            (std::set<std::string>{"since", "next_since", "next", "more", "results"}));

  // What the feed answers is what the document says: a page has the page
  // schema's members, each entry the entry schema's, of the types listed.
  const auto page = parsed(s.get("/ll2d/changes/?since=0").body);
  for (const auto& name : strings(schemas["ChangePage"]["required"]))
    EXPECT_TRUE(page.HasMember(name.c_str())) << name;
  ASSERT_GT(page["results"].Size(), 0U);
  for (const auto& entry : page["results"].GetArray()) {
    for (const auto& name : strings(schemas["ChangeEntry"]["required"]))
      EXPECT_TRUE(entry.HasMember(name.c_str())) << name;
    for (const auto& t : strings(entry["types"])) EXPECT_TRUE(feed_types().count(t)) << t;
  }
}

TEST(FeedSchema, EveryParameterItListsIsOneTheFeedReads) {
  TempDir dir;
  const std::string db = dir.file("schema.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});
  const auto doc = parsed(s.get("/ll2d/schema/").body);
  const auto params = parameters(doc["paths"]["/ll2d/changes/"]);

  // Every type and kind the document lists is accepted; a bad value of a
  // listed parameter is a 400 naming it.
  const auto join = [](const rapidjson::Value& values) {
    std::string out;
    for (const auto& v : values.GetArray())
      out += std::string(out.empty() ? "" : ",") + v.GetString();
    return out;
  };
  EXPECT_EQ(s.get("/ll2d/changes/?types=" + join((*params.at("types"))["schema"]["items"]["enum"]))
                .status,
            200);
  EXPECT_EQ(s.get("/ll2d/changes/?kinds=" + join((*params.at("kinds"))["schema"]["items"]["enum"]))
                .status,
            200);
  for (const char* name : {"since", "limit", "kinds", "types", "lsp__id"}) {
    ASSERT_TRUE(params.count(name)) << name;
    const auto bad = s.get(std::string("/ll2d/changes/?") + name + "=nope");
    EXPECT_EQ(bad.status, 400) << name;
    EXPECT_TRUE(parsed(bad.body).HasMember(name)) << name << ": " << bad.body;
  }
  // `id` and a launch filter select.
  const auto one = parsed(s.get(std::string("/ll2d/changes/?id=") + kLaunch0).body);
  ASSERT_EQ(one["results"].Size(), 1U);
  EXPECT_STREQ(one["results"][0]["id"].GetString(), kLaunch0);
  const int64_t lsp =
      parsed(read_file(fixture()))["results"][0]["launch_service_provider"]["id"].GetInt64();
  EXPECT_EQ(parsed(s.get("/ll2d/changes/?lsp__id=" + std::to_string(lsp)).body)["results"].Size(),
            2U);
  EXPECT_EQ(parsed(s.get("/ll2d/changes/?lsp__id=999999").body)["results"].Size(), 0U);
}

// `id` is also a launch filter's name; the feed's comes first, so an
// agency's entries are found by its id (not only launches').
TEST(ChangeFeed, IdSelectsAnObjectOfAnyKind) {
  TempDir dir;
  const std::string db = dir.file("feed.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});
  const int64_t lsp =
      parsed(read_file(fixture()))["results"][0]["launch_service_provider"]["id"].GetInt64();
  const auto agency = parsed(s.get("/ll2d/changes/?kinds=agency&id=" + std::to_string(lsp)).body);
  ASSERT_EQ(agency["results"].Size(), 1U);
  EXPECT_STREQ(agency["results"][0]["kind"].GetString(), "agency");
  EXPECT_EQ(agency["results"][0]["id"].GetInt64(), lsp);
}

TEST(FeedSchema, AnswersGetAndHeadOnly) {
  TempDir dir;
  const std::string db = dir.file("schema.sqlite3");
  ASSERT_EQ(run_ll2d({"import", "--db", db, fixture()}).exit_code, 0);
  Server s(db, {"--no-access-log"});
  EXPECT_EQ(s.request("HEAD", "/ll2d/schema/").status, 200);
  const auto post = s.request("POST", "/ll2d/schema/");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.at("allow"), "GET, HEAD");
}

}  // namespace
}  // namespace ll2::test
