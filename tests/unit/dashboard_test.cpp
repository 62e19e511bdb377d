// The Starship dashboard as ll2d composes it when no dashboard of LL2's is
// stored: a small world written by hand, where each launch, event, update,
// core, spacecraft, notice and closure is either one the dashboard must list
// (and where) or one it must leave out; then the rule that an imported
// dashboard wins, the import's numbering of id-less objects, and the
// registry's checks of a composition.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <string>
#include <vector>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"
#include "util/datetime.hpp"

using namespace ll2;  // NOLINT(google-build-using-namespace)

namespace {

constexpr int64_t kHour = int64_t{3600} * 1000000;
constexpr int64_t kDay = 24 * kHour;
const int64_t kNow = *datetime::parse_django_datetime("2024-06-01T12:00:00Z");
constexpr const char* kBase = "https://ll.example/2.3.0";

std::string at(int64_t t) {
  return datetime::format_datetime(t);
}
std::string uuid(int n) {
  return fmt::format("00000000-0000-4000-8000-{:012}", n);
}

// A launch as LL2's detailed view prints it, with only what the dashboard
// reads: its program, its rocket (configuration, cores, spacecraft), its
// webcasts and updates.
struct Launch {
  int n;
  int64_t net;
  int program = 0;                  // 0: none
  std::string config = "Falcon 9";  // the rocket configuration's name
  int core = 0;                     // a launcher (first stage) id, 0: none
  int spacecraft = 0;               // a spacecraft (flight) id, 0: none
  int update = 0;                   // an update id, 0: none
  int64_t update_on = 0;
  bool stream = false;
};

std::string program_json(int program) {
  if (program == 0) return "[]";
  return fmt::format(R"([{{"id": {0}, "url": "{1}/programs/{0}/", "name": "{2}"}}])", program,
                     kBase, program == 1 ? "Starship Development" : "Artemis");
}

std::string update_json(int id, int64_t on) {
  if (id == 0) return "[]";
  return fmt::format(R"([{{"id": {}, "comment": "c", "created_on": "{}"}}])", id, at(on));
}

std::string stream_json(int n, bool stream) {
  if (!stream) return "[]";
  return fmt::format(
      R"([{{"priority": 10, "title": "Flight {0}", "description": "live", "feature_image": "https://img.example/{0}.png", "url": "https://video.example/{0}"}}])",
      n);
}

std::string launch_json(const Launch& l) {
  const std::string stages =
      l.core == 0
          ? "[]"
          : fmt::format(
                R"([{{"id": {0}, "launcher": {{"id": {0}, "url": "{1}/launchers/{0}/", "serial_number": "B{0}"}}}}])",
                l.core, kBase);
  const std::string flights =
      l.spacecraft == 0
          ? "[]"
          : fmt::format(
                R"([{{"id": {0}, "spacecraft": {{"id": {0}, "url": "{1}/spacecraft/{0}/", "name": "Ship {0}"}}}}])",
                l.spacecraft, kBase);
  return fmt::format(
      R"({{"id": "{0}", "url": "{1}/launches/{0}/", "name": "L{2}", "net": "{3}", "program": {4},
          "rocket": {{"id": {2}, "configuration": {{"id": {5}, "url": "{1}/launcher_configurations/{5}/", "name": "{6}"}},
                     "launcher_stage": {7}, "spacecraft_stage": {8}}},
          "vid_urls": {9}, "updates": {10}}})",
      uuid(l.n), kBase, l.n, at(l.net), program_json(l.program), 100 + l.n, l.config, stages,
      flights, stream_json(l.n, l.stream), update_json(l.update, l.update_on));
}

struct Event {
  int n;
  int64_t date;
  int program = 0;
  int launch = 0;  // a launch it is about, 0: none
  int update = 0;
  int64_t update_on = 0;
};

std::string event_json(const Event& e) {
  const std::string launches =
      e.launch == 0
          ? "[]"
          : fmt::format(R"([{{"id": "{0}", "url": "{1}/launches/{0}/", "name": "L{2}"}}])",
                        uuid(e.launch), kBase, e.launch);
  return fmt::format(
      R"({{"id": {0}, "url": "{1}/events/{0}/", "name": "E{0}", "date": "{2}", "program": {3},
          "launches": {4}, "updates": {5}}})",
      e.n, kBase, at(e.date), program_json(e.program), launches,
      update_json(e.update, e.update_on));
}

// Ids the checks below look for.
std::vector<std::string> ids(const rapidjson::Value& list, const char* key = "id") {
  std::vector<std::string> out;
  for (const auto& o : list.GetArray()) {
    const auto& v = o[key];
    out.push_back(v.IsString() ? v.GetString() : std::to_string(v.GetInt64()));
  }
  return out;
}
std::vector<std::string> launches(std::initializer_list<int> ns) {
  std::vector<std::string> out;
  for (const int n : ns) out.push_back(uuid(n));
  return out;
}

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite(dir.file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store) << opened.error;
    db = std::move(opened.store);
    std::vector<Launch> ls = {
        // In the program, flown: previous, newest first.
        {.n = 1,
         .net = kNow - 2 * kDay,
         .program = 1,
         .core = 301,
         .update = 601,
         .update_on = kNow - 3 * kDay},
        {.n = 2, .net = kNow - kHour, .program = 1, .spacecraft = 501, .stream = true},
        // Not in the program but flown by a Starship: upcoming.
        {.n = 3, .net = kNow + kDay, .config = "Starship"},
        // In the program, at exactly now: upcoming, not previous.
        {.n = 4, .net = kNow, .program = 1, .stream = true},
        // Other programs or none: never on the dashboard.
        {.n = 5,
         .net = kNow + 2 * kDay,
         .program = 2,
         .core = 303,
         .spacecraft = 503,
         .update = 603,
         .update_on = kNow - kHour},
        {.n = 6, .net = kNow - 3 * kDay, .core = 304, .update = 604, .update_on = kNow}};
    // Eleven more in the program, later: the upcoming list stops at ten.
    for (int n = 10; n <= 20; ++n) ls.push_back({.n = n, .net = kNow + n * kDay, .program = 1});
    std::string json = "[";
    for (const auto& l : ls) json += (json.size() > 1 ? "," : "") + launch_json(l);
    json += "]";
    import(json, nullptr);
    const std::vector<Event> es = {
        {.n = 1, .date = kNow + 3 * kDay, .program = 1},
        // About a Starship launch, with an update: previous.
        {.n = 2, .date = kNow - kDay, .launch = 1, .update = 602, .update_on = kNow - 2 * kDay},
        {.n = 3, .date = kNow + kDay, .program = 2},
        {.n = 4, .date = kNow - kDay, .launch = 5}};
    json = "[";
    for (const auto& e : es) json += (json.size() > 1 ? "," : "") + event_json(e);
    json += "]";
    import(json, nullptr);
    // A core of a Starship configuration that never flew, and a spacecraft
    // of that name: both in the fleet.
    import(fmt::format(
               R"([{{"id": 302, "url": "{0}/launchers/302/", "serial_number": "A302",
                     "launcher_config": {{"id": 90, "url": "{0}/launcher_configurations/90/", "name": "Starship"}}}},
                   {{"id": 305, "url": "{0}/launchers/305/", "serial_number": "A305",
                     "launcher_config": {{"id": 91, "url": "{0}/launcher_configurations/91/", "name": "Falcon Heavy"}}}}])",
               kBase),
           nullptr);
    import(fmt::format(
               R"([{{"id": 502, "url": "{0}/spacecraft/502/", "name": "Ship 502",
                     "spacecraft_config": {{"id": 80, "url": "{0}/spacecraft_configurations/80/", "name": "Starship"}}}},
                   {{"id": 504, "url": "{0}/spacecraft/504/", "name": "Dragon 504",
                     "spacecraft_config": {{"id": 81, "url": "{0}/spacecraft_configurations/81/", "name": "Dragon"}}}}])",
               kBase),
           nullptr);
    // Notices and road closures come only with LL2's dashboard; here they
    // are imported as objects of their own kinds.
    import(
        fmt::format(
            R"([{{"id": 1, "type": {{"id": 1, "name": "Tank Test"}}, "date": "{}", "url": "https://n.example/1"}},
                   {{"id": 2, "type": {{"id": 1, "name": "Tank Test"}}, "date": "{}", "url": "https://n.example/2"}},
                   {{"id": 3, "type": {{"id": 2, "name": "Sonic Boom"}}, "date": "{}", "url": "https://n.example/3"}}])",
            at(kNow + kDay), at(kNow - 25 * kHour), at(kNow - kHour)),
        "notice");
    import(
        fmt::format(
            R"([{{"id": 1, "title": "over", "status": {{"id": 1, "name": "Scheduled"}}, "window_start": "{}", "window_end": "{}"}},
                   {{"id": 2, "title": "later", "status": {{"id": 1, "name": "Scheduled"}}, "window_start": "{}", "window_end": "{}"}},
                   {{"id": 3, "title": "now", "status": {{"id": 2, "name": "Possible"}}, "window_start": "{}", "window_end": "{}"}}])",
            at(kNow - 2 * kDay), at(kNow - kDay), at(kNow + kDay), at(kNow + 2 * kDay),
            at(kNow - kHour), at(kNow + kHour)),
        "road_closure");
  }

  void import(const std::string& json, const char* kind) {
    const std::string path = dir.file("in.json");
    std::ofstream(path, std::ios::binary) << json;
    const model::Kind* k = kind == nullptr ? nullptr : model::registry().find_kind(kind);
    auto r = ingest::import_file(*db, test::catalog(), k, path);
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(r))
        << std::get<ingest::ImportError>(r).to_string();
  }

  api::Response get(const std::string& query, int64_t now = kNow) {
    return get_at("/2.3.0/dashboard/starship/" + query, now);
  }
  api::Response get_at(const std::string& target, int64_t now) {
    api::EngineOptions options;
    options.now = now;
    api::Engine engine(
        test::catalog(),
        [this] {
          return std::move(store::open_sqlite(dir.file("db.sqlite3"), test::schema()).store);
        },
        test::without_budget(options));
    return engine.handle({"GET", target, "testserver", ""});
  }
  // The dashboard: one object, as LL2 answers (its document says an array).
  rapidjson::Document dashboard(const std::string& query, int64_t now = kNow) {
    const auto r = get(query, now);
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_TRUE(!d.HasParseError() && d.IsObject()) << r.body.substr(0, 300);
    return d;
  }

  test::TempDir dir;
  std::unique_ptr<store::Store> db;
};

}  // namespace

TEST_F(Dashboard, EachPartIsSelectedFromTheStoredData) {
  const auto x = dashboard("?mode=list");
  // Launches at or after now, soonest first, one page of ten; the 11th
  // Starship launch (n = 20) is left out.
  EXPECT_EQ(ids(x["upcoming"]["launches"]), launches({4, 3, 10, 11, 12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(ids(x["previous"]["launches"]), launches({2, 1}));
  // Events in the program or about a Starship launch.
  EXPECT_EQ(ids(x["upcoming"]["events"]), std::vector<std::string>{"1"});
  EXPECT_EQ(ids(x["previous"]["events"]), std::vector<std::string>{"2"});
  // Comments on Starship launches and events, newest first.
  EXPECT_EQ(ids(x["updates"]), (std::vector<std::string>{"602", "601"}));
  // Cores that flew a Starship launch or are of a Starship configuration,
  // by serial number; spacecraft likewise, by id.
  EXPECT_EQ(ids(x["vehicles"]), (std::vector<std::string>{"302", "301"}));
  EXPECT_EQ(ids(x["orbiters"]), (std::vector<std::string>{"501", "502"}));
  // Notices from 24 hours ago on and closures not over, soonest first.
  EXPECT_EQ(ids(x["notices"]), (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(ids(x["road_closures"]), (std::vector<std::string>{"3", "2"}));
  // The webcast of the first launch `launches/upcoming/` lists (flown an
  // hour ago), as LL2's VidURLs prints a stream.
  ASSERT_EQ(x["live_streams"].Size(), 1U);
  const auto& s = x["live_streams"][0];
  EXPECT_STREQ(s["title"].GetString(), "Flight 2");
  EXPECT_STREQ(s["description"].GetString(), "live");
  EXPECT_STREQ(s["image"].GetString(), "https://img.example/2.png");
  EXPECT_STREQ(s["url"].GetString(), "https://video.example/2");
}

TEST_F(Dashboard, TheHalvesSplitAtNowAndMoveWithIt) {
  // A microsecond after launch 4's NET it is the newest previous launch.
  const auto later = dashboard("?mode=list", kNow + 1);
  EXPECT_EQ(ids(later["previous"]["launches"]), launches({4, 2, 1}));
  EXPECT_EQ(ids(later["upcoming"]["launches"])[0], uuid(3));
  // A day on, launch 2's stream is gone and launch 4's is the one to watch.
  const auto next_day = dashboard("?mode=list", kNow + kDay);
  ASSERT_EQ(next_day["live_streams"].Size(), 1U);
  EXPECT_STREQ(next_day["live_streams"][0]["url"].GetString(), "https://video.example/4");
  // Long after everything: nothing upcoming, ten previous.
  const auto end = dashboard("?mode=list", kNow + 100 * kDay);
  EXPECT_EQ(end["upcoming"]["launches"].Size(), 0U);
  EXPECT_EQ(end["previous"]["launches"].Size(), 10U);
  EXPECT_EQ(end["notices"].Size(), 0U);
  EXPECT_EQ(end["live_streams"].Size(), 0U);
}

// An answer that depends on the time is reusable until the time passes the
// first stored value its conditions compare with (api/clock.hpp): the same
// bytes up to that instant, and the next rows from it.
TEST_F(Dashboard, AnswersOnTheTimeHoldUntilItPassesAStoredTime) {
  const int64_t t = kNow + 1;
  struct Case {
    std::string target;
    int64_t expires;  // 0: only checked to hold until it expires
    bool changes;     // whether the answer differs right after `expires`
  };
  const std::vector<Case> cases = {
      // Previous: launch 3 (NET now + 1 day) is the next to pass.
      {"/2.3.0/launches/previous/?mode=list", kNow + kDay, true},
      // Upcoming, from 24 hours ago: launch 2 (NET now - 1 hour) leaves first.
      {"/2.3.0/launches/upcoming/?mode=list", kNow - kHour + kDay, true},
      // hide_recent_previous compares with the time too: its edge (launch 3
      // at now + 1 day) comes after the window's, which changes nothing here.
      {"/2.3.0/launches/upcoming/?mode=list&hide_recent_previous=true", kNow - kHour + kDay, false},
      {"/2.3.0/events/upcoming/", 0, false},
      // 2.4.0's boolean filters are conditions on the time as well.
      {"/api/ll/2.4.0/launches/mini/?previous=true", kNow + kDay, true},
      {"/2.3.0/dashboard/starship/", 0, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const api::Response first = get_at(c.target, t);
    ASSERT_EQ(first.status, 200) << first.body.substr(0, 300);
    ASSERT_TRUE(first.generation.has_value());
    ASSERT_GT(first.expires, t);
    if (c.expires != 0) EXPECT_EQ(first.expires, c.expires);
    EXPECT_EQ(get_at(c.target, first.expires - 1).body, first.body);
    // (A row at the edge of a `>=` window leaves a microsecond after it.)
    if (c.changes) EXPECT_NE(get_at(c.target, first.expires + 1).body, first.body);
  }
  // An answer that compares with no time never expires by it.
  const api::Response all = get_at("/2.3.0/launches/?mode=list", t);
  ASSERT_TRUE(all.generation.has_value());
  EXPECT_EQ(all.expires, 0);
  // A time equal to a stored value is its own edge: launch 4's NET is now,
  // so previous launches at that instant are answered, not kept.
  EXPECT_FALSE(get_at("/2.3.0/launches/previous/", kNow).generation.has_value());
}

TEST_F(Dashboard, EveryModeRendersItsSchemasViews) {
  struct Case {
    const char* query;
    const char* mode;
    const char* launch_mode;
    bool event_mode;  // EventEndpointList says "list"; EventNormal has no response_mode
  };
  for (const Case c :
       {Case{"", "normal", "normal", false}, Case{"?mode=list", "list", "list", true},
        Case{"?mode=normal", "normal", "normal", false},
        Case{"?mode=detailed", "detailed", "detailed", false}}) {
    const auto x = dashboard(c.query);
    std::vector<std::string> keys;
    for (const auto& m : x.GetObject()) keys.emplace_back(m.name.GetString());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"response_mode", "updates", "live_streams", "road_closures",
                                        "notices", "vehicles", "orbiters", "upcoming", "previous"}))
        << c.query;
    EXPECT_STREQ(x["response_mode"].GetString(), c.mode);
    EXPECT_STREQ(x["upcoming"]["launches"][0]["response_mode"].GetString(), c.launch_mode);
    EXPECT_STREQ(x["previous"]["launches"][0]["response_mode"].GetString(), c.launch_mode);
    EXPECT_EQ(x["upcoming"]["events"][0].HasMember("response_mode"), c.event_mode) << c.query;
    EXPECT_STREQ(x["vehicles"][0]["response_mode"].GetString(), "detailed");  // LauncherDetailed
    EXPECT_STREQ(x["orbiters"][0]["response_mode"].GetString(), "normal");    // SpacecraftNormal
    EXPECT_STREQ(x["upcoming"]["launches"][0]["url"].GetString(),
                 ("http://testserver/2.3.0/launches/" + uuid(4) + "/").c_str());
  }
  EXPECT_EQ(get("?mode=nonsense").status, 400);
}

TEST_F(Dashboard, AnImportedDashboardIsServedAsImportedAndReplacedByTheNext) {
  // LL2's own dashboard (here: the one composed now, as a client fetched
  // it), and a newer one.
  const std::string sent = get("?mode=detailed").body;
  const std::string newer = get("?mode=detailed", kNow + 100 * kDay).body;
  ASSERT_NE(newer, sent);
  import(sent, "starship_dashboard");
  EXPECT_EQ(get("?mode=detailed").body, sent);
  // LL2's value is the truth: time passing does not recompose it.
  EXPECT_EQ(get("?mode=detailed", kNow + 100 * kDay).body, sent);
  // The same response in another mode prints the same objects.
  const auto list = dashboard("?mode=list", kNow + 100 * kDay);
  EXPECT_EQ(ids(list["upcoming"]["launches"]), launches({4, 3, 10, 11, 12, 13, 14, 15, 16, 17}));
  // A newer response replaces it rather than adding a second dashboard.
  import(newer, "starship_dashboard");
  import(newer, "starship_dashboard");
  EXPECT_EQ(get("?mode=detailed").body, newer);
}

TEST(DashboardImport, ObjectsLl2PrintsWithoutIdsAreNumberedInFileOrder) {
  const auto& dashboard = *model::registry().find_kind("starship_dashboard");
  const std::string one =
      R"({"response_mode": "list", "updates": [], "live_streams": [{"title": "t", "description": null, "image": null, "url": "https://v.example/"}],
          "road_closures": [], "notices": [], "vehicles": [], "orbiters": [],
          "upcoming": {"launches": [], "events": [{"id": 7, "name": "E7"}]}, "previous": {"launches": [], "events": []}})";
  auto r = ingest::collect(test::catalog(), &dashboard, "[" + one + "," + one + "]", "d.json");
  ASSERT_TRUE(std::holds_alternative<ingest::Collected>(r))
      << std::get<ingest::ImportError>(r).to_string();
  std::vector<std::pair<std::string, int64_t>> numbered;
  for (const auto& o : std::get<ingest::Collected>(r).batch.objects) {
    if (o.kind->numbered) numbered.emplace_back(o.kind->name, std::get<int64_t>(o.id));
  }
  EXPECT_EQ(numbered, (std::vector<std::pair<std::string, int64_t>>{{"launch_and_events", 1},
                                                                    {"launch_and_events", 2},
                                                                    {"starship_dashboard", 1},
                                                                    {"launch_and_events", 3},
                                                                    {"launch_and_events", 4},
                                                                    {"starship_dashboard", 2}}));
  // Objects LL2 does print ids for still need theirs.
  const std::string no_event_id = std::string(one).replace(one.find(R"("id": 7, )"), 9, "");
  auto bad = ingest::collect(test::catalog(), &dashboard, no_event_id, "d.json");
  ASSERT_TRUE(std::holds_alternative<ingest::ImportError>(bad));
  EXPECT_EQ(std::get<ingest::ImportError>(bad).json_path, "$.upcoming.events[0]");
  EXPECT_EQ(std::get<ingest::ImportError>(bad).message, "missing \"id\"");
}

TEST(DashboardDeclaration, ACompositionIsCheckedWhenTheRegistryResolves) {
  using namespace model::declare;  // NOLINT(google-build-using-namespace)
  const auto build = [](std::vector<model::Composed> parts) {
    model::Registry r;
    KindBuilder{r.kind("thing")}.text({"name"}).datetime({"at"}).rows("links", "link");
    KindBuilder{r.kind("link", model::IdType::None)}.text({"href", "label"});
    KindBuilder{r.kind("row", model::IdType::None)}.text({"url", "title"});
    KindBuilder{r.kind("board")}.numbered().m2m("things", "thing").rows("rows", "row");
    r.view("Thing", "thing", {id(), col("name")});
    r.view("Row", "row", {col("url"), col("title")});
    r.view("Board", "board", {mode("normal"), nested("things", "Thing"), nested("rows", "Row")});
    r.resource({.path = "board",
                .singular = "Board",
                .plural = "Boards",
                .modes = {{"normal", "Board"}},
                .paginated = false,
                .compose = std::move(parts)});
    return r.resolve();
  };
  const auto things = [](const std::string& path, std::string order) {
    return model::Composed{.field = "things",
                           .where =
                               [path](const model::FilterContext& c) {
                                 return model::Predicate::compare(path, model::Lookup::Gte, c.now);
                               },
                           .order = {std::move(order)}};
  };
  const model::Composed rows{.field = "rows",
                             .from = "thing",
                             .order = {"at"},
                             .rows = "links",
                             .rename = {{"url", "href"}}};
  EXPECT_EQ(build({things("at", "-at"), rows}), std::vector<std::string>{});
  const auto problems =
      build({things("at__name", "-nmae"),
             {.field = "nothing"},
             {.field = "rows", .from = "thing", .rows = "links", .rename = {{"url", "missing"}}}});
  const std::string all = fmt::format("{}", fmt::join(problems, "\n"));
  EXPECT_NE(all.find("compose things: bad path at__name"), std::string::npos) << all;
  EXPECT_NE(all.find("compose things: bad ordering -nmae"), std::string::npos) << all;
  EXPECT_NE(all.find("compose nothing: no such relation of board"), std::string::npos) << all;
  EXPECT_NE(all.find("compose rows: cannot rename missing to url"), std::string::npos) << all;
  // A single-object route answers what it composes.
  EXPECT_EQ(build({}),
            std::vector<std::string>{"resource board: a single object must be composed"});
  // What a view prints must be composed.
  const auto unfilled = build({things("at", "at")});
  ASSERT_EQ(unfilled.size(), 1U);
  EXPECT_NE(unfilled[0].find("view Board prints rows, which is not composed"), std::string::npos)
      << unfilled[0];
}
