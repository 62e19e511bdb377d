// Events (/2.3.0/events/): dockings, spacewalks, tests, press events, ...
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;
using model::ValueKind;

void declare_events(model::Registry& r) {
  KindBuilder{r.kind("event")}
      .model("Events")
      .text({"name"})
      .rows("info_urls", "info_url")
      .rows("vid_urls", "vid_url")
      .fk("image", "image")
      .datetime({"date"})
      .text({"slug"})
      .fk("type", "event_type")
      .text({"description"})
      .boolean({"webcast_live"})
      .text({"location"})
      .fk("date_precision", "net_precision")
      .text({"duration"})  // an ISO 8601 string, as LL2 wrote it
      .reverse("updates", "update", "event")
      .datetime({"last_updated"})
      .m2m("agencies", "agency")
      .m2m("launches", "launch")
      .m2m("expeditions", "expedition")
      .m2m("spacestations", "space_station")
      .m2m("program", "program")
      .m2m("astronauts", "astronaut")
      // An event's date is its NET: event.net_changed, as a launch's.
      .watch("date", "net_changed")
      .watch("webcast_live", "webcast_live", true)
      .watch("date_precision")
      .reminders_before("date");

  r.view("EventMini", "event",
         {id(), url("events"), col("name"), nested("info_urls", "InfoURL"),
          nested("vid_urls", "VidURL"), nested("image", "Image"), col("date")});
  r.view("EventNormal", "event",
         {col("slug"), nested("type", "EventType"), col("description"), col("webcast_live"),
          col("location"), nested("date_precision", "NetPrecision")})
      .extends("EventMini");
  r.view("EventEndpointList", "event", {mode("list"), col("duration")}).extends("EventNormal");
  r.view("EventEndpointNormal", "event",
         {mode("normal"), nested("updates", "Update"), col("last_updated")})
      .extends("EventEndpointList");
  r.view("EventEndpointDetailed", "event",
         {mode("detailed"), nested("agencies", "AgencyMini"), nested("launches", "LaunchBasic"),
          nested("expeditions", "ExpeditionNormal"), nested("spacestations", "SpaceStationNormal"),
          nested("program", "ProgramNormal"), nested("astronauts", "AstronautNormal")})
      .extends("EventEndpointNormal");

  r.resource({
      .path = "events",
      .singular = "Event",
      .plural = "Events",
      .modes = {{"list", "EventEndpointList"},
                {"normal", "EventEndpointNormal"},
                {"detailed", "EventEndpointDetailed"}},
      .filters = filters({{in_list("agency__ids", "agencies__id")},
                          lookups("date", {Lookup::Gt}),
                          // LL2's name for its "date is less than" filter.
                          {filter("date__gt__lt", "date", Lookup::Lt)},
                          lookups("date", {Lookup::Gte, Lookup::Lte}),
                          {date_part("day", "date", Lookup::Day)},
                          {in_list("id", "id")},
                          lookups("last_updated", {Lookup::Gte, Lookup::Lte}),
                          {date_part("month", "date", Lookup::Month)},
                          {filter("program", "program")},
                          exact("slug"),
                          exact("type"),
                          {in_list("type__ids", "type__id")},
                          {in_list("video_url", "vid_urls__url", ValueKind::Text)},
                          {date_part("year", "date", Lookup::Year)}}),
      .search_fields = {"name"},
      .ordering_fields = {"date", "last_updated"},
      .default_ordering = {"name"},  // LL2's model ordering (facts §7)
      .actions = {upcoming("date"), previous("date", {"Events", "Previous"})},
      .tags = {"Events"},
      .schema_name = "EventsEndpoint",
      .mode_example = "mode=list",
      .filter_example = "type__ids=2,8",
      .search_example = "search=Flyby",
      .ordering_example = "ordering=-last_updated",
  });
}

}  // namespace ll2::resources
