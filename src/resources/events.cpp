// Events (/2.3.0/events/): dockings, spacewalks, tests, press events, ...
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_events(model::Registry& r) {
  KindBuilder{r.kind("event")}
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
      .m2m("astronauts", "astronaut");

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
}

}  // namespace ll2::resources
