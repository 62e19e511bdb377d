// Spacewalks (/2.3.0/spacewalks/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_spacewalks(model::Registry& r) {
  KindBuilder{r.kind("spacewalk")}
      .text({"name"})
      .datetime({"start", "end"})
      .text({"duration", "location"})  // duration: an ISO 8601 string, as LL2 wrote it
      .m2m("crew", "astronaut_flight")
      .fk("spacestation", "space_station")
      .fk("expedition", "expedition")
      .fk("spacecraft_flight", "spacecraft_flight")
      .fk("event", "event")
      .m2m("program", "program");

  r.view("SpacewalkList", "spacewalk",
         {mode("list"), id(), url("spacewalks"), col("name"), col("start"), col("end"),
          col("duration"), col("location")});
  // Says "list": nested in astronauts.
  r.view("SpacewalkNormal", "spacewalk", {nested("crew", "AstronautFlight")})
      .extends("SpacewalkList");
  r.view("SpacewalkEndpointNormal", "spacewalk",
         {mode("normal"), nested("spacestation", "SpaceStationMini"),
          nested("expedition", "ExpeditionMini"),
          nested("spacecraft_flight", "SpacecraftFlightNormal"), nested("event", "EventMini"),
          nested("program", "ProgramMini")})
      .extends("SpacewalkNormal");
  r.view("SpacewalkEndpointDetailed", "spacewalk",
         {mode("detailed"), nested("spacestation", "SpaceStationNormal"),
          nested("expedition", "ExpeditionNormalSerializerForSpacewalk"),
          nested("spacecraft_flight", "SpacecraftFlightDetailed"), nested("event", "EventNormal"),
          nested("program", "ProgramNormal")})
      .extends("SpacewalkEndpointNormal");
}

}  // namespace ll2::resources
