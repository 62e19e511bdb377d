// Rockets (/api/ll/2.4.0/rockets/, new in 2.4.0): one vehicle as flown on a
// launch, its stages and payloads named by reference in the list and in
// full in the detail.
#include "resources/resources.hpp"

namespace ll2::resources::v2_4_0 {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_rockets(model::Registry& r) {
  r.view("_StageRef", "first_stage", {id(), url("stages")});
  r.view("_SpacecraftFlightRef", "spacecraft_flight", {id(), url("spacecraft_flights")});
  r.view("_PayloadFlightRef", "payload_flight", {id(), url("payload_flights")});
  r.view("RocketStandaloneNormal", "rocket",
         {mode("normal"), id(), url("rockets"), nested("configuration", "LauncherConfigNormal"),
          nested("launcher_stage", "_StageRef"),
          nested("spacecraft_stage", "_SpacecraftFlightRef").from("spacecraftflight"),
          nested("payloads", "_PayloadFlightRef")});
  r.view("RocketStandaloneDetailed", "rocket",
         {mode("detailed"), nested("configuration", "LauncherConfigDetailed"),
          nested("launcher_stage", "FirstStageNormal"),
          nested("spacecraft_stage", "SpacecraftFlightDetailed").from("spacecraftflight"),
          nested("payloads", "PayloadFlightDetailed")})
      .extends("RocketStandaloneNormal");

  r.resource({
      .path = "rockets",
      .singular = "Rocket",
      .plural = "Rockets",
      .modes = {{"normal", "RocketStandaloneNormal"},
                {"detailed", "RocketStandaloneDetailed", nullptr, false}},
      .filters =
          filters({lookups("configuration__full_name", {Lookup::Exact, Lookup::IContains}),
                   {in_list("configuration__ids", "configuration__id")},
                   lookups("configuration__manufacturer__name", {Lookup::Exact, Lookup::IContains}),
                   lookups("configuration__name", {Lookup::Exact, Lookup::IContains}),
                   {filter("configuration_id", "configuration__id")},
                   exact("id")}),
      .search_fields = {"configuration__full_name", "configuration__manufacturer__name",
                        "configuration__name", "launch__name"},
      .ordering_fields = {"configuration__name", "id"},
      .default_ordering = {"id"},
      .tags = {"rockets"},
      .filter_example = "configuration_id=164",
      .search_example = "search=Falcon",
      .ordering_example = "ordering=-id",
  });
}

}  // namespace ll2::resources::v2_4_0
