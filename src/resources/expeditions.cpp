// Expeditions (/2.3.0/expeditions/): crews aboard a space station.
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_expeditions(model::Registry& r) {
  KindBuilder{r.kind("expedition")}
      .model("Expedition")
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

  r.resource({
      .path = "expeditions",
      .singular = "Expedition",
      .plural = "Expeditions",
      .modes = {{"normal", "ExpeditionNormal"}, {"detailed", "ExpeditionDetailed"}},
      .filters = filters({exact("crew__astronaut"),
                          exact("crew__astronaut__agency"),
                          lookups("end", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
                          exact("name"),
                          {filter("space_station", "spacestation")},
                          lookups("start", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte})}),
      .search_fields = {"crew__astronaut__agency__abbrev", "crew__astronaut__agency__name",
                        "crew__astronaut__name", "crew__astronaut__nationality__nationality_name",
                        "name"},
      .ordering_fields = {"end", "id", "start"},
      .default_ordering = {"id"},
      .tags = {"Expeditions"},
      .schema_name = "ExpeditionEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "space_station=18",
      .search_example = "search=Kelly",
      .ordering_example = "ordering=-start",
  });
}

}  // namespace ll2::resources
