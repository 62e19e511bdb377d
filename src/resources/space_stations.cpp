// Space stations (/2.3.0/space_stations/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::ColumnType;
using model::Lookup;

namespace {
// `orbit=ID` (a config/orbits id): LL2's station points at an orbit but
// prints only its name, which is what a copy holds; so the stations whose
// orbit is that orbit's name.
model::Predicate orbit_by_id(const std::vector<Value>& values,
                             const model::FilterContext& context) {
  const Value name = context.value_of("orbit", values.at(0), "name");
  if (is_null(name)) return model::Predicate::nothing();
  return model::Predicate::compare("orbit", Lookup::Exact, name);
}
}  // namespace

void declare_space_stations(model::Registry& r) {
  KindBuilder{r.kind("space_station")}
      .model("SpaceStation")
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

  r.resource({
      .path = "space_stations",
      .singular = "Space Station",
      .plural = "Space Stations",
      .modes = {{"normal", "SpaceStationEndpoint"}, {"detailed", "SpaceStationDetailedEndpoint"}},
      .filters = filters({range("docked_vehicles"),
                          exact("id"),
                          lookups("name", {Lookup::Exact, Lookup::Contains}),
                          range("onboard_crew"),
                          {custom_choice("orbit", "orbit", orbit_by_id)},
                          {in_list("owner__ids", "owners__id")},
                          {filter("owners", "owners")},
                          exact("status"),
                          {in_list("status__ids", "status__id")},
                          exact("type")}),
      .search_fields = {"name", "owners__abbrev", "owners__name"},
      .ordering_fields = {"docked_vehicles", "founded", "id", "name", "onboard_crew", "status",
                          "type", "volume"},
      .default_ordering = {"id"},
      .tags = {"Stations"},
      .schema_name = "SpaceStationEndpoint",
      .mode_example = "mode=detailed",
      .filter_example = "onboard_crew__gte=1",
      .search_example = "search=Salyut",
      .ordering_example = "ordering=founded",
  });
}

}  // namespace ll2::resources
