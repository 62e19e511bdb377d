// Every declared route, driven from the declarations themselves: each mode,
// each filter with a value of its kind and an invalid one (the 400 body
// django-filter gives), ModelChoice misses, ordering by every ordering field,
// search, pagination and 404s; then the upcoming/previous windows around
// their time boundary with a fixed clock.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

#include "api/engine.hpp"
#include "catalog/catalog.hpp"
#include "ingest/importer.hpp"
#include "test_util.hpp"
#include "util/datetime.hpp"

using namespace ll2;  // NOLINT(google-build-using-namespace)
using model::Filter;
using model::Resource;
using model::ValueKind;

namespace {

class Endpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    auto opened = store::open_sqlite(dir->file("db.sqlite3"), test::schema());
    ASSERT_TRUE(opened.store);
    // The golden record: a docking event and everything it links to.
    auto r = ingest::import_file(*opened.store, test::catalog(), nullptr,
                                 LL2D_FIXTURES "/docking_event_609_detailed.json");
    ASSERT_TRUE(std::holds_alternative<ingest::ImportStats>(r));
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }
  static api::Engine::StoreOpener opener() {
    return
        [] { return std::move(store::open_sqlite(dir->file("db.sqlite3"), test::schema()).store); };
  }
  api::Response get(const std::string& target) const {
    return engine.handle({"GET", target, "testserver", "application/json"});
  }
  static rapidjson::Document json(const api::Response& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body.substr(0, 200);
    return d;
  }

  static test::TempDir* dir;
  api::Engine engine{test::catalog(), opener(), test::without_budget()};
};
test::TempDir* Endpoints::dir = nullptr;

struct Route {
  const Resource* resource;
  const model::Action* action;
  std::string path;  // /2.3.0/launches/upcoming/
};

std::vector<Route> routes() {
  std::vector<Route> out;
  for (const auto& r : model::registry().resources()) {
    out.push_back({r.get(), nullptr, "/2.3.0/" + r->path + "/"});
    for (const auto& a : r->actions)
      out.push_back({r.get(), &a, "/2.3.0/" + r->path + "/" + a.name + "/"});
  }
  return out;
}

// The Django model class behind each detail route, as LL2's public code
// (api/models.py, configurations/models.py) names it, else the schema's name.
std::string ll2_model(std::string_view path) {
  static const std::map<std::string, std::string, std::less<>> models = {
      {"agencies", "Agency"},
      {"astronauts", "Astronaut"},
      {"celestial_bodies", "CelestialBody"},
      {"docking_events", "DockingEvent"},
      {"events", "Events"},
      {"expeditions", "Expedition"},
      {"landings", "Landing"},
      {"launcher_configuration_families", "LauncherConfigFamily"},
      {"launcher_configurations", "LauncherConfig"},
      {"launchers", "Launcher"},
      {"launches", "Launch"},
      {"locations", "Location"},
      {"mission_patches", "MissionPatch"},
      {"pads", "Pad"},
      {"payload_flights", "PayloadFlight"},
      {"payloads", "Payload"},
      {"programs", "Program"},
      {"space_stations", "SpaceStation"},
      {"spacecraft", "Spacecraft"},
      {"spacecraft_configuration_families", "SpacecraftConfigFamily"},
      {"spacecraft_configurations", "SpacecraftConfiguration"},
      {"spacecraft_flights", "SpacecraftFlight"},
      {"spacewalks", "Spacewalk"},
      {"updates", "Update"},
      {"config/agency_types", "AgencyType"},
      {"config/astronaut_roles", "AstronautRole"},
      {"config/astronaut_statuses", "AstronautStatus"},
      {"config/astronaut_types", "AstronautType"},
      {"config/celestial_body_types", "CelestialBodyType"},
      {"config/countries", "Country"},
      {"config/docking_locations", "DockingLocation"},
      {"config/event_types", "EventType"},
      {"config/first_stage_types", "FirstStageType"},
      {"config/image_licenses", "ImageLicense"},
      {"config/image_variant_types", "ImageVariantType"},
      {"config/infourl_types", "InfoURLType"},
      {"config/landing_locations", "LandingLocation"},
      {"config/landing_types", "LandingType"},
      {"config/languages", "Language"},
      {"config/launch_statuses", "LaunchStatus"},
      {"config/launcher_statuses", "LauncherStatus"},
      {"config/mission_types", "MissionType"},
      {"config/net_precisions", "NetPrecision"},
      {"config/notice_types", "NoticeType"},
      {"config/orbits", "Orbit"},
      {"config/payload_types", "PayloadType"},
      {"config/program_types", "ProgramType"},
      {"config/road_closure_statuses", "RoadClosureStatus"},
      {"config/space_station_statuses", "SpaceStationStatus"},
      {"config/space_station_types", "SpaceStationType"},
      {"config/spacecraft_configuration_types", "SpacecraftConfigurationType"},
      {"config/spacecraft_statuses", "SpacecraftStatus"},
      {"config/timeline_event_types", "TimelineEventType"},
      {"config/vidurl_types", "VidURLType"},
  };
  const auto it = models.find(path);
  return it == models.end() ? "(no model listed for " + std::string(path) + ")" : it->second;
}

std::vector<const Filter*> filters_of(const Route& route) {
  std::vector<const Filter*> out;
  for (const auto& f : route.resource->filters) out.push_back(&f);
  if (route.action != nullptr) {
    for (const auto& f : route.action->extra_filters) out.push_back(&f);
  }
  return out;
}

// A value each kind accepts, and one it rejects with django-filter's message.
struct Probe {
  std::string valid;
  std::string invalid;
  std::string message;
};

Probe probe(const Filter& f) {
  if (!f.unsupported.empty()) return {"", "1", f.unsupported};
  switch (f.kind) {
    case ValueKind::Number:
    case ValueKind::Decimal:
      return {"1", "abc", "Enter a number."};
    case ValueKind::DateTime:
      return {"2020-01-01T00:00:00Z", "01/15/2020", "Enter a valid date/time."};
    case ValueKind::Date:
      return {"2020-01-01", "2020-13-45", "Enter a valid date."};
    case ValueKind::Uuid:
      return {"6c5ad8ea-3f3c-4bd1-a3ef-8e0b2b41b7a4", "not-a-uuid", "Enter a valid UUID."};
    case ValueKind::Choice:
      return {"", "987654321",
              "Select a valid choice. That choice is not one of the available choices."};
    case ValueKind::MultipleChoice:
      return {"", "x", "\u201cx\u201d is not a valid value."};
    case ValueKind::Boolean:
      return {"true", "", ""};  // anything else is ignored, never a 400
    case ValueKind::Text:
    case ValueKind::Auto:
      return {"Mir", "", ""};
  }
  return {};
}

}  // namespace

TEST_F(Endpoints, EveryRouteAnswersInEveryMode) {
  int checked = 0;
  for (const auto& route : routes()) {
    const auto& r = *route.resource;
    std::vector<std::string> queries = {""};
    for (const auto& m : r.modes) {
      if (r.mode_parameter) queries.push_back("mode=" + m.name);
    }
    for (const auto& q : queries) {
      const auto res = get(route.path + "?" + q);
      ASSERT_EQ(res.status, 200) << route.path << "?" << q << " " << res.body.substr(0, 200);
      const auto d = json(res);
      if (r.paginated) {
        ASSERT_TRUE(d.IsObject() && d.HasMember("count") && d["results"].IsArray()) << route.path;
      } else {
        ASSERT_TRUE(d.IsObject() && d.HasMember("upcoming")) << route.path;  // one object
      }
      ++checked;
    }
    if (r.mode_parameter) {
      const auto bad = get(route.path + "?mode=nonsense");
      EXPECT_EQ(bad.status, 400) << route.path;
    } else {
      EXPECT_EQ(get(route.path + "?mode=nonsense").status, 200) << route.path;  // no parameter
    }
    if (!r.paginated) continue;
    // A lookup that finds nothing names LL2's model (Django's Http404 text);
    // an id that does not parse is DRF's bare "Not found.".
    const std::string missing = r.kind->id_type == model::IdType::Uuid
                                    ? "00000000-0000-4000-8000-000000000000"
                                    : "987654321";
    const auto not_found = get(route.path + missing + "/");
    EXPECT_EQ(not_found.status, 404) << route.path;
    EXPECT_EQ(not_found.body,
              fmt::format(R"({{"detail":"No {} matches the given query."}})", ll2_model(r.path)))
        << route.path;
    const auto malformed = get(route.path + "abc/");
    EXPECT_EQ(malformed.status, 404) << route.path;
    EXPECT_EQ(malformed.body, R"({"detail":"Not found."})") << route.path;
  }
  EXPECT_GE(checked, 100);
}

TEST_F(Endpoints, EveryFilterReadsItsKindAndRejectsWhatDjangoRejects) {
  int filters = 0;
  for (const auto& route : routes()) {
    for (const Filter* f : filters_of(route)) {
      const Probe p = probe(*f);
      if (!p.valid.empty()) {
        const std::string value = f->csv ? p.valid + "," + p.valid : p.valid;
        const auto ok = get(route.path + "?" + f->param + "=" + value);
        EXPECT_EQ(ok.status, 200) << route.path << "?" << f->param << "=" << value << " "
                                  << ok.body.substr(0, 200);
      }
      if (!p.message.empty()) {
        const auto bad = get(route.path + "?" + f->param + "=" + p.invalid);
        EXPECT_EQ(bad.status, 400) << route.path << "?" << f->param;
        rapidjson::Document d = json(bad);
        ASSERT_TRUE(d.IsObject() && d.HasMember(f->param.c_str())) << bad.body;
        EXPECT_EQ(std::string(d[f->param.c_str()][0].GetString()), p.message) << route.path;
      }
      // An empty value is not applied (django-filter), except a repeated-id
      // filter, where "" is no id.
      const auto empty = get(route.path + "?" + f->param + "=");
      EXPECT_EQ(empty.status, f->kind == ValueKind::MultipleChoice ? 400 : 200)
          << route.path << "?" << f->param << "=";
      ++filters;
    }
  }
  EXPECT_GE(filters, 700);  // LL2 documents 716 filter parameters, upcoming/previous included
}

TEST_F(Endpoints, EveryOrderingFieldSortsBothWaysAndSearchAnswers) {
  for (const auto& route : routes()) {
    if (!route.resource->paginated) continue;
    for (const auto& field : route.resource->ordering_fields) {
      for (const std::string sign : {"", "-"}) {
        const auto r = get(route.path + "?ordering=" + sign + field);
        EXPECT_EQ(r.status, 200) << route.path << "?ordering=" << sign << field;
      }
    }
    EXPECT_EQ(get(route.path + "?search=a+b").status, 200) << route.path;
    EXPECT_EQ(get(route.path + "?limit=1&offset=1").status, 200) << route.path;
  }
}

TEST_F(Endpoints, AChosenObjectIsFoundThroughItsFilters) {
  // Docking event 609's chaser flight launched on a known launch.
  const auto launches = json(get("/2.3.0/launches/?limit=100"));
  ASSERT_GE(launches["count"].GetInt(), 1);
  const std::string id = launches["results"][0]["id"].GetString();
  EXPECT_EQ(json(get("/2.3.0/launches/?id=" + id))["count"].GetInt(), 1);
  EXPECT_EQ(json(get("/2.3.0/launches/" + id + "/"))["id"].GetString(), id);
  // Python's uuid.UUID: upper case, no dashes, braces.
  std::string upper;
  for (char c : id) {
    if (c != '-') upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(get("/2.3.0/launches/{" + upper + "}/").status, 200);
  const auto status = launches["results"][0]["status"]["id"].GetInt();
  EXPECT_GE(json(get(fmt::format("/2.3.0/launches/?status={}", status)))["count"].GetInt(), 1);
  EXPECT_GE(json(get(fmt::format("/2.3.0/launches/?status__ids=987,{}", status)))["count"].GetInt(),
            1);
  EXPECT_EQ(json(get("/2.3.0/launches/?status__ids=,"))["count"].GetInt(), 0);  // IN (NULL)
}

TEST_F(Endpoints, UpcomingAndPreviousAroundTheBoundary) {
  const auto all = json(get("/2.3.0/launches/?ordering=net&limit=1"));
  ASSERT_GE(all["count"].GetInt(), 1);
  const std::string id = all["results"][0]["id"].GetString();
  const auto net = datetime::parse_django_datetime(all["results"][0]["net"].GetString());
  ASSERT_TRUE(net);
  constexpr int64_t kHour = int64_t{3600} * 1000000;
  const auto count = [&](int64_t now, const std::string& route) {
    api::Engine at{test::catalog(), opener(), test::without_budget({{}, 0, now})};
    const auto r = at.handle({"GET", "/2.3.0/launches/" + route + "&id=" + id, "t", ""});
    EXPECT_EQ(r.status, 200) << r.body;
    return json(r)["count"].GetInt();
  };
  // Upcoming keeps a launch for 24 hours after its NET.
  EXPECT_EQ(count(*net - kHour, "upcoming/?"), 1);
  EXPECT_EQ(count(*net + 23 * kHour, "upcoming/?"), 1);
  EXPECT_EQ(count(*net + 24 * kHour, "upcoming/?"), 1);  // net >= now - 24 h
  EXPECT_EQ(count(*net + 24 * kHour + 1, "upcoming/?"), 0);
  EXPECT_EQ(count(*net + 1, "upcoming/?hide_recent_previous=true"), 0);
  EXPECT_EQ(count(*net, "upcoming/?hide_recent_previous=true"), 1);
  // Previous from its NET on.
  EXPECT_EQ(count(*net - 1, "previous/?"), 0);
  EXPECT_EQ(count(*net, "previous/?"), 1);
  // The detail route of an action answers only inside its window.
  api::Engine before{test::catalog(), opener(), test::without_budget({{}, 0, *net - 1})};
  const auto outside = before.handle({"GET", "/2.3.0/launches/previous/" + id + "/", "t", ""});
  EXPECT_EQ(outside.status, 404);
  EXPECT_EQ(outside.body, R"({"detail":"No Launch matches the given query."})");
  EXPECT_EQ(before.handle({"GET", "/2.3.0/launches/upcoming/" + id + "/", "t", ""}).status, 200);
}
