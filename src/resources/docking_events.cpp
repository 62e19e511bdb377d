// The docking events endpoint, /2.3.0/docking_events/, and docking locations
// (/2.3.0/config/docking_locations/).
#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL
using model::Lookup;

void declare_docking_events(model::Registry& r) {
  KindBuilder{r.kind("docking_location")}
      .model("DockingLocation")
      .text({"name"})
      .fk("spacestation", "space_station")
      .fk("spacecraft", "spacecraft_config")
      .fk("payload", "payload")
      .fk("currently_docked", "docking_event");  // derived by LL2; kept as imported
  KindBuilder{r.kind("docking_event")}
      .model("DockingEvent")
      .datetime({"docking", "departure"})
      .fk("docking_location", "docking_location")
      .fk("space_station_target", "space_station")
      .fk("flight_vehicle_target", "spacecraft_flight")
      .fk("payload_flight_target", "payload_flight")
      .fk("flight_vehicle_chaser", "spacecraft_flight")
      .fk("space_station_chaser", "space_station")
      .fk("payload_flight_chaser", "payload_flight");

  r.view("DockingLocation", "docking_location",
         {id(), col("name"), nested("spacestation", "SpaceStationMini"),
          nested("spacecraft", "SpacecraftConfigNormal"), nested("payload", "PayloadMini")});
  r.view("DockingLocationSerializerForSpacestation", "docking_location",
         {id(), col("name"),
          nested("currently_docked", "DockingEventDetailedSerializerForSpacestation")});

  r.view("DockingEventEndpointNormal", "docking_event",
         {id(), url("docking_events"), col("docking"), col("departure"),
          nested("docking_location", "DockingLocation"),
          nested("space_station_target", "SpaceStationMini"),
          nested("flight_vehicle_target", "SpacecraftFlightMini"),
          nested("payload_flight_target", "PayloadFlightMini"), mode("normal"),
          nested("flight_vehicle_chaser", "SpacecraftFlightMini"),
          nested("space_station_chaser", "SpaceStationMini"),
          nested("payload_flight_chaser", "PayloadFlightMini")});
  r.view("DockingEventEndpointDetailed", "docking_event",
         {mode("detailed"), nested("flight_vehicle_chaser", "SpacecraftFlightNormal"),
          nested("space_station_chaser", "SpaceStationNormal"),
          nested("payload_flight_chaser", "PayloadFlightNormal")})
      .extends("DockingEventEndpointNormal");
  // A chaser's events, shown from the chaser's side: the targets.
  r.view("DockingEventForChaserNormal", "docking_event",
         {id(), url("docking_events"), col("docking"), col("departure"),
          nested("docking_location", "DockingLocation"),
          nested("space_station_target", "SpaceStationNormal"),
          nested("flight_vehicle_target", "SpacecraftFlightNormal"),
          nested("payload_flight_target", "PayloadFlightNormal")});
  // The event docked at a station's docking location: the chasers.
  r.view("DockingEventDetailedSerializerForSpacestation", "docking_event",
         {id(), url("docking_events"), col("docking"), col("departure"),
          nested("flight_vehicle_chaser", "SpacecraftFlightForDockingEvent"),
          nested("space_station_chaser", "SpaceStationNormal"),
          nested("payload_flight_chaser", "PayloadFlightNormal")});

  model::Resource res;
  res.path = "docking_events";
  res.kind_name = "docking_event";
  res.singular = "Docking Event";
  res.plural = "Docking Events";
  res.modes = {{"normal", "DockingEventEndpointNormal", nullptr},
               {"detailed", "DockingEventEndpointDetailed", nullptr}};
  res.tags = {"Docking", "Events"};
  res.schema_name = "DockingEventEndpoint";
  res.list_mode = "normal";
  res.detail_mode = "detailed";
  // In django-filter's form order (Meta.fields first, then declared filters):
  // the order in which a 400 lists invalid values. The docs sort by name.
  res.filters = filters({
      exact("docking_location__id"),
      exact("flight_vehicle_chaser__id"),
      exact("space_station_target__id"),
      lookups("docking", {Lookup::Gt, Lookup::Gte, Lookup::Lt, Lookup::Lte}),
  });
  res.search_fields = {
      "docking_location__name",
      "flight_vehicle_chaser__spacecraft__name",
      "flight_vehicle_target__spacecraft__name",
      "payload_flight_chaser__payload__name",
      "payload_flight_target__payload__name",
      "space_station_chaser__name",
      "space_station_target__name",
  };
  res.ordering_fields = {"departure", "docking"};
  res.default_ordering = {"docking"};
  res.mode_example = "mode=detailed";
  res.filter_example = "space_station_target__id=6";
  res.search_example = "search=Salyut";
  res.ordering_example = "ordering=-docking";
  r.resource(std::move(res));
}

}  // namespace ll2::resources
