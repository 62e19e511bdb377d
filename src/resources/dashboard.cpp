// The Starship dashboard (/2.3.0/dashboard/starship/) and what only it shows:
// notices and road closures. LL2 computes the dashboard; a copy keeps it as
// imported. Neither the dashboard nor its upcoming/previous halves print an
// id, so they are objects of their own (a dashboard row, two
// launch_and_events rows) that the endpoint's import has to number.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::ValueKind;

void declare_dashboard(model::Registry& r) {
  KindBuilder{r.kind("notice")}.fk("type", "notice_type").datetime({"date"}).text({"url"});
  KindBuilder{r.kind("road_closure")}
      .text({"title"})
      .fk("status", "road_closure_status")
      .datetime({"window_start", "window_end"});
  KindBuilder{r.kind("launch_and_events")}.m2m("launches", "launch").m2m("events", "event");
  KindBuilder{r.kind("starship_dashboard")}
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
      .paginated = false,  // a plain array, no detail route
      .tags = {"Starship"},
      .schema_name = "StarshipDashboardEndpoint",
      .openapi_summary = false,
      .mode_example = "mode=list",
  });
}

}  // namespace ll2::resources
