// Expeditions (/2.3.0/expeditions/): crews aboard a space station.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_expeditions(model::Registry& r) {
  KindBuilder{r.kind("expedition")}
      .text({"name"})
      .datetime({"start", "end"})
      .fk("spacestation", "space_station")
      .m2m("mission_patches", "mission_patch")
      .reverse("spacewalks", "spacewalk", "expedition")
      .m2m("crew", "astronaut_flight");

  r.view("ExpeditionMini", "expedition",
         {id(), url("expeditions"), col("name"), col("start"), col("end")});
  r.view("ExpeditionNormal", "expedition",
         {mode("normal"), nested("spacestation", "SpaceStationNormal"),
          nested("mission_patches", "MissionPatch"), nested("spacewalks", "SpacewalkList")})
      .extends("ExpeditionMini");
  r.view("ExpeditionDetailed", "expedition",
         {mode("detailed"), nested("spacestation", "SpaceStationDetailed"),
          nested("crew", "AstronautFlight")})
      .extends("ExpeditionNormal");
  r.view("ExpeditionNormalSerializerForSpacewalk", "expedition", {})
      .extends("ExpeditionNormal")
      .without({"response_mode", "spacewalks"});
}

}  // namespace ll2::resources
