// The Starship dashboard (/2.3.0/dashboard/starship/) and what only it shows:
// notices and road closures. LL2 computes the dashboard from its other data.
// A dashboard imported from LL2 is served as LL2 sent it; with none stored,
// ll2d composes one from the data it holds (`compose` below; LL2's rules are
// not public, docs/ll2-behaviour.md says why each part is chosen so). Neither the
// dashboard nor its upcoming/previous halves print an id, so an import
// numbers them (a dashboard row, two launch_and_events rows).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Composed;
using model::FilterContext;
using model::Lookup;
using model::Predicate;

namespace {

constexpr int64_t kHour = int64_t{3600} * 1000000;  // microseconds
// Each list a client pages through elsewhere holds one default page here.
constexpr int64_t kPage = 10;
// Lists with no natural size (the fleet, current notices): LL2's largest page.
constexpr int64_t kMaxList = 100;

// icontains compares upper-cased text: the value is given upper-cased.
Predicate named_starship(const std::string& path) {
  return Predicate::compare(path, Lookup::IContains, std::string("STARSHIP"));
}

// A Starship launch, reached from another kind through `via`: in a program
// named Starship, or flown by a rocket configuration of that name (so that a
// Starship flight not linked to the program still counts).
std::vector<Predicate> starship_launch(const std::string& via) {
  return {named_starship(via + "program__name"),
          named_starship(via + "rocket__configuration__name")};
}
// A Starship event: in the program, or about one of its launches.
std::vector<Predicate> starship_event(const std::string& via) {
  std::vector<Predicate> any = starship_launch(via + "launches__");
  any.push_back(named_starship(via + "program__name"));
  return any;
}

Predicate both(std::vector<Predicate> any, Predicate when) {
  Predicate p = Predicate::any_of(std::move(any));
  p.require(std::move(when));
  return p;
}

// One half of the dashboard: the launches and events on one side of now,
// each as its upcoming or previous route orders them, one page of each.
// Unlike those routes the halves do not overlap: a launch is upcoming from
// now on, no longer for 24 hours after its NET.
Composed half(const char* field, Lookup side, const char* order_sign) {
  const std::string sign = order_sign;
  return {.field = field,
          .parts = {{.field = "launches",
                     .where =
                         [side](const FilterContext& c) {
                           return both(starship_launch(""), c.since_now("net", side));
                         },
                     .order = {sign + "net"},
                     .limit = kPage},
                    {.field = "events",
                     .where =
                         [side](const FilterContext& c) {
                           return both(starship_event(""), c.since_now("date", side));
                         },
                     .order = {sign + "date"},
                     .limit = kPage}}};
}

// The webcasts of the first Starship launch (or event) `upcoming` routes
// list: kept from 24 hours before now, so a flight's stream stays while it
// flies and for its replay.
Composed streams(const char* from, const char* date,
                 std::vector<Predicate> (*which)(const std::string&)) {
  const std::string field = date;
  return {.field = "live_streams",
          .from = from,
          .where =
              [field, which](const FilterContext& c) {
                return both(which(""), c.since_now(field, Lookup::Gte, -24 * kHour));
              },
          .order = {field},
          .limit = 1,
          .rows = "vid_urls",
          .rename = {{"image", "feature_image"}}};
}

std::vector<Composed> starship_dashboard() {
  return {
      // Comments on Starship launches, events or the program, newest first.
      {.field = "updates",
       .where =
           [](const FilterContext&) {
             std::vector<Predicate> any = starship_launch("launch__");
             for (auto& p : starship_event("event__")) any.push_back(std::move(p));
             any.push_back(named_starship("program__name"));
             return Predicate::any_of(std::move(any));
           },
       .order = {"-created_on"},
       .limit = kPage},
      streams("launch", "net", starship_launch),
      streams("event", "date", starship_event),
      // Closures not over yet, and notices from 24 hours ago on, soonest first.
      {.field = "road_closures",
       .where = [](const FilterContext& c) { return c.since_now("window_end", Lookup::Gte); },
       .order = {"window_start"},
       .limit = kMaxList},
      {.field = "notices",
       .where =
           [](const FilterContext& c) { return c.since_now("date", Lookup::Gte, -24 * kHour); },
       .order = {"date"},
       .limit = kMaxList},
      // The fleet: cores of a Starship configuration or that flew a Starship
      // launch, and spacecraft of that name or that flew one, in their
      // endpoints' order.
      {.field = "vehicles",
       .where =
           [](const FilterContext&) {
             std::vector<Predicate> any = starship_launch("firststage__rocket__launch__");
             any.push_back(named_starship("launcher_config__name"));
             any.push_back(named_starship("launcher_config__program__name"));
             return Predicate::any_of(std::move(any));
           },
       .order = {"serial_number"},
       .limit = kMaxList},
      {.field = "orbiters",
       .where =
           [](const FilterContext&) {
             std::vector<Predicate> any = starship_launch("flights__launch__");
             any.push_back(named_starship("spacecraft_config__name"));
             return Predicate::any_of(std::move(any));
           },
       .order = {"id"},
       .limit = kMaxList},
      half("upcoming", Lookup::Gte, ""),
      half("previous", Lookup::Lt, "-"),
  };
}

}  // namespace

void declare_dashboard(model::Registry& r) {
  KindBuilder{r.kind("notice")}.fk("type", "notice_type").datetime({"date"}).text({"url"});
  KindBuilder{r.kind("road_closure")}
      .text({"title"})
      .fk("status", "road_closure_status")
      .datetime({"window_start", "window_end"});
  KindBuilder{r.kind("launch_and_events")}
      .numbered()
      .m2m("launches", "launch")
      .m2m("events", "event");
  KindBuilder{r.kind("starship_dashboard")}
      .numbered()
      .m2m("updates", "update")
      .rows("live_streams", "live_stream")
      .m2m("road_closures", "road_closure")
      .m2m("notices", "notice")
      .m2m("vehicles", "launcher")
      .m2m("orbiters", "spacecraft")
      .fk("upcoming", "launch_and_events")
      .fk("previous", "launch_and_events");

  r.view("Notice", "notice",
         {id(), nested("type", "NoticeType"), col("date"), col("url")});  // url: a column here
  r.view("RoadClosure", "road_closure",
         {id(), col("title"), nested("status", "RoadClosureStatus"), col("window_start"),
          col("window_end")});
  r.view("LaunchAndEventsList", "launch_and_events",
         {nested("launches", "LaunchBasic"), nested("events", "EventEndpointList")});
  r.view("LaunchAndEventsNormal", "launch_and_events",
         {nested("launches", "LaunchNormal"), nested("events", "EventNormal")});
  r.view("LaunchAndEventsDetailed", "launch_and_events",
         {nested("launches", "LaunchDetailed"), nested("events", "EventNormal")});

  r.view("StarshipDashboardList", "starship_dashboard",
         {mode("list"), nested("updates", "Update"), nested("live_streams", "VidURLs"),
          nested("road_closures", "RoadClosure"), nested("notices", "Notice"),
          nested("vehicles", "LauncherDetailed"), nested("orbiters", "SpacecraftNormal"),
          nested("upcoming", "LaunchAndEventsList"), nested("previous", "LaunchAndEventsList")});
  r.view("StarshipDashboardNormal", "starship_dashboard",
         {mode("normal"), nested("upcoming", "LaunchAndEventsNormal"),
          nested("previous", "LaunchAndEventsNormal")})
      .extends("StarshipDashboardList");
  r.view("StarshipDashboardDetailed", "starship_dashboard",
         {mode("detailed"), nested("upcoming", "LaunchAndEventsDetailed"),
          nested("previous", "LaunchAndEventsDetailed")})
      .extends("StarshipDashboardNormal");

  r.resource({
      .path = "dashboard/starship",
      .singular = "Starship Dashboard",
      .plural = "Starship Dashboard",
      .modes = {{"list", "StarshipDashboardList"},
                {"normal", "StarshipDashboardNormal"},
                {"detailed", "StarshipDashboardDetailed"}},
      .default_ordering = {"id"},
      .paginated = false,  // one object, as LL2 answers (its document says an array)
      .compose = starship_dashboard(),
      .tags = {"Starship"},
      .schema_name = "StarshipDashboardEndpoint",
      .openapi_summary = false,
      .mode_example = "mode=list",
  });
}

}  // namespace ll2::resources
