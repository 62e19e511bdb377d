// Space stations (/2.3.0/space_stations/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;

void declare_space_stations(model::Registry& r) {
  KindBuilder{r.kind("space_station")}
      .text({"name"})
      .fk("image", "image")
      .fk("status", "space_station_status")
      .col("founded", ColumnType::Date)
      .col("deorbited", ColumnType::Date)
      .text({"description", "orbit"})  // LL2 prints the orbit as a string
      .fk("type", "space_station_type")
      .m2m("owners", "agency")
      .m2m("active_expeditions", "expedition")  // kept by LL2's librarians, not derived
      .flt({"height", "width", "mass"})
      .integer({"volume", "onboard_crew", "docked_vehicles"})
      .reverse("docking_locations", "docking_location", "spacestation")
      // Derived by LL2 (events at this station not yet departed); kept as imported.
      .m2m("active_docking_events", "docking_event");

  r.view("SpaceStationMini", "space_station",
         {id(), url("space_stations"), col("name"), nested("image", "Image")});
  r.view("SpaceStationNormal", "space_station",
         {nested("status", "SpaceStationStatus"), col("founded"), col("deorbited"),
          col("description"), col("orbit"), nested("type", "SpaceStationType")})
      .extends("SpaceStationMini");
  r.view("SpaceStationDetailed", "space_station", {nested("owners", "AgencyNormal")})
      .extends("SpaceStationNormal");
  r.view("SpaceStationEndpoint", "space_station",
         {mode("normal"), nested("active_expeditions", "ExpeditionMini")})
      .extends("SpaceStationDetailed");
  r.view("SpaceStationDetailedEndpoint", "space_station",
         fields({{mode("detailed")},
                 cols({"height", "width", "mass", "volume", "onboard_crew", "docked_vehicles"}),
                 {nested("docking_location", "DockingLocationSerializerForSpacestation")
                      .from("docking_locations"),
                  nested("active_docking_events", "DockingEventForChaserNormal")}}))
      .extends("SpaceStationEndpoint");
}

}  // namespace ll2::resources
